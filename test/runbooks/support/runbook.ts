/**
 * Reads a runbook (runbooks/*.md) into its fenced command blocks, each with the `## ` section it sits
 * in, so a test can run the Diagnosis, Recovery and Verification steps at the right moments.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Phase = 'diagnosis' | 'recovery' | 'verification' | 'other';

interface RunbookBlock {
  /** The fence's info string: `sh local` → language "sh", target "local". */
  readonly language: string;
  readonly target: string | undefined;
  readonly phase: Phase;
  readonly section: string;
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
  readonly script: string;
}

class RunbookFormatError extends Error {
  readonly code = 'runbook_format';
  readonly status = 500;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'RunbookFormatError';
  }
}

const RUNBOOK_DIR = 'runbooks';

function phaseOf(section: string): Phase {
  const word = section.toLowerCase();
  if (word.startsWith('diagnosis')) return 'diagnosis';
  if (word.startsWith('recovery')) return 'recovery';
  if (word.startsWith('verification')) return 'verification';
  return 'other';
}

/** Every fenced block of the markdown text, in order. */
function parseRunbook(text: string, file = '(text)'): RunbookBlock[] {
  const blocks: RunbookBlock[] = [];
  let section = '';
  let open: { language: string; target: string | undefined; line: number; lines: string[] } | undefined;
  for (const [index, line] of text.split('\n').entries()) {
    if (open !== undefined) {
      if (/^```\s*$/.test(line)) {
        blocks.push({
          language: open.language,
          target: open.target,
          phase: phaseOf(section),
          section,
          line: open.line,
          script: `${open.lines.join('\n')}\n`,
        });
        open = undefined;
      } else open.lines.push(line);
      continue;
    }
    const heading = /^##\s+(.*)$/.exec(line);
    if (heading) section = heading[1]!.trim();
    const fence = /^```(\S*)(?:\s+(\S+))?\s*$/.exec(line);
    if (fence) open = { language: fence[1] ?? '', target: fence[2], line: index + 1, lines: [] };
  }
  if (open !== undefined) throw new RunbookFormatError(`${file}:${open.line}: unclosed code fence`);
  return blocks;
}

/** The runbook files (README excluded), relative to the repository root. */
function runbookFiles(root: string): string[] {
  return readdirSync(join(root, RUNBOOK_DIR))
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort();
}

function readRunbook(root: string, name: string): RunbookBlock[] {
  const file = join(RUNBOOK_DIR, name);
  return parseRunbook(readFileSync(join(root, file), 'utf8'), file);
}

/** The ```sh local blocks, the ones the local runtime can run. */
const localBlocks = (blocks: readonly RunbookBlock[]): RunbookBlock[] =>
  blocks.filter((b) => b.language === 'sh' && b.target === 'local');

export type { Phase, RunbookBlock };
export { localBlocks, readRunbook, runbookFiles };
