/**
 * The `herald` CLI entry: finds the command, parses its flags with node:util parseArgs (strict, so a
 * mistyped flag is an error rather than ignored), runs it, and turns any error into one message on
 * stderr plus a meaningful exit code (see exit-codes.ts). `run` takes its streams and environment as
 * arguments so tests drive it in-process.
 */
import { createInterface } from 'node:readline/promises';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { COMMANDS } from './commands/index.js';
import { type CliIo, type Command, createContext, type OptionValue } from './context.js';
import { CliError, UsageError } from './errors.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = `Global flags:
  --url <url>   Herald API base URL   (else HERALD_URL, else apiUrl in ./.herald/local.json, used only
                                       with that file's key: a --key or HERALD_API_KEY needs --url or HERALD_URL)
  --key <key>   API key               (else HERALD_API_KEY, else adminApiKey in ./.herald/local.json,
                                       used only with that file's own apiUrl)
  --json        machine-readable output on stdout
  --insecure    allow sending the key over plain http:// to a host other than loopback
  -h, --help    help`;

function usageLine(command: Command): string {
  return `herald ${command.name}${command.usage === '' ? '' : ` ${command.usage}`}`;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: herald <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\n${GLOBAL_HELP}\n\n${EXIT_CODES_HELP}\n`;
}

function commandHelp(command: Command): string {
  return `Usage: ${usageLine(command)}\n\n${command.summary}.\n\n${GLOBAL_HELP}\n`;
}

/** The command named by the first one or two words; the rest of argv is its arguments. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  const [first, second] = argv;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two !== undefined) return { command: two, rest: argv.slice(2) };
  const one = COMMANDS.find((c) => c.name === first);
  if (one !== undefined) return { command: one, rest: argv.slice(1) };
  return undefined;
}

function unknownCommand(argv: readonly string[]): UsageError {
  const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `)).map((c) => c.name);
  return new UsageError(
    group.length > 0
      ? `Unknown or missing subcommand for "${argv[0]}"`
      : `Unknown command "${argv.join(' ')}"`,
    { hint: group.length > 0 ? `One of: ${group.join(', ')}` : 'Run `herald --help` for the commands.' },
  );
}

function writeError(io: CliIo, error: CliError): void {
  const status = error.status > 0 ? ` (HTTP ${error.status})` : '';
  const lines = [`error: ${error.code}${status}: ${error.message}`];
  if (error.detail !== undefined) lines.push(`detail: ${JSON.stringify(error.detail)}`);
  if (error.hint !== undefined) lines.push(`hint: ${error.hint}`);
  io.stderr.write(`${lines.join('\n')}\n`);
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const words = argv.filter((a) => !a.startsWith('-'));
    if (argv.length === 0 || (words.length === 0 && argv.some((a) => a === '--help' || a === '-h'))) {
      io.stdout.write(mainHelp());
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    const found = findCommand(argv);
    if (found === undefined) throw unknownCommand(argv);
    const { command, rest } = found;
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError((error as Error).message, { hint: `Usage: ${usageLine(command)}` });
    }
    const { url, key, json, help, ...options } = parsed.values as Record<string, OptionValue>;
    if (help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const context = createContext(io, {
      json: json === true,
      ...(typeof url === 'string' ? { url } : {}),
      ...(typeof key === 'string' ? { key } : {}),
      positionals: parsed.positionals,
      options,
    });
    await command.run(context);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliError) {
      writeError(io, error);
      return error.exitCode;
    }
    // A bug in the CLI itself: say so, with the stack, rather than pretend it was the API.
    io.stderr.write(
      `error: internal CLI failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.apiError;
  }
}

/** Runs with the real process streams and sets the exit code (no process.exit: stdout must flush). */
async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(process.stdin.isTTY ? { prompt: ask } : {}),
  });
}

async function ask(question: string): Promise<string> {
  const lines = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await lines.question(question);
  } finally {
    lines.close();
  }
}

export { main, run };
