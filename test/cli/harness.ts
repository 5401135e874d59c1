/** Runs the CLI in-process with captured streams, a chosen environment and working directory. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../cli/main.js';
import { Capture } from './fake-api.js';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface CliOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly tty?: boolean;
}

async function herald(argv: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture(options.tty ?? false);
  const code = await run(argv, { stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? emptyDir() });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A fresh directory with no .herald/local.json. */
function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'herald-cli-'));
}

/** A fresh directory whose .herald/local.json holds `state`. */
function dirWithLocalState(state: Record<string, unknown>): string {
  const dir = emptyDir();
  mkdirSync(join(dir, '.herald'));
  writeFileSync(join(dir, '.herald', 'local.json'), JSON.stringify(state));
  return dir;
}

export type { CliResult };
export { dirWithLocalState, emptyDir, herald };
