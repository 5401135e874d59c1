/**
 * What a command gets: its parsed options and positionals, the streams, and a lazily built API client
 * (so `--help` and usage errors never need a configuration).
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { type CliConfig, resolveConfig } from './config.js';
import { UsageError } from './errors.js';
import { ApiClient } from './http.js';
import type { ProgressStream } from './progress.js';
import { assertKeyMayTravel } from './transport.js';

interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: ProgressStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Asks a person and answers their line; absent when stdin is not a terminal. */
  readonly prompt?: (question: string) => Promise<string>;
}

type OptionValue = string | boolean | undefined;

interface CommandContext {
  readonly io: CliIo;
  readonly json: boolean;
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, OptionValue>>;
  config(): CliConfig;
  client(): ApiClient;
  /** Writes `data` as JSON with --json, else the text `render` returns. */
  print<T>(data: T, render: (data: T) => string): void;
}

interface Command {
  /** `events publish`, `replay`, ... */
  readonly name: string;
  readonly summary: string;
  /** Arguments and flags after the command name, e.g. `<id> [--limit N]`. */
  readonly usage: string;
  readonly options?: ParseArgsOptionsConfig;
  run(context: CommandContext): Promise<void>;
}

function createContext(
  io: CliIo,
  parsed: {
    json: boolean;
    url?: string;
    key?: string;
    positionals: string[];
    options: Record<string, OptionValue>;
  },
): CommandContext {
  let config: CliConfig | undefined;
  let client: ApiClient | undefined;
  const resolve = (): CliConfig => {
    config ??= resolveConfig({
      flags: {
        ...(parsed.url !== undefined ? { url: parsed.url } : {}),
        ...(parsed.key !== undefined ? { key: parsed.key } : {}),
      },
      env: io.env,
      cwd: io.cwd,
    });
    return config;
  };
  return {
    io,
    json: parsed.json,
    positionals: parsed.positionals,
    options: parsed.options,
    config: resolve,
    client() {
      const { apiUrl, apiKey } = resolve();
      assertKeyMayTravel(apiUrl, { insecure: parsed.options.insecure === true });
      client ??= new ApiClient({
        apiUrl,
        apiKey,
        // Always shown (not only on a terminal): a command that pauses for a minute must say why.
        onWait: (wait) =>
          io.stderr.write(
            `waiting ${wait.seconds}s: ${wait.method} ${wait.path} answered ${wait.status} with Retry-After (wait ${wait.attempt} of at most ${wait.maxWaits})\n`,
          ),
      });
      return client;
    },
    print(data, render) {
      io.stdout.write(parsed.json ? `${JSON.stringify(data, null, 2)}\n` : render(data));
    },
  };
}

/** The n-th positional argument, or a usage error naming it. */
function positional(context: CommandContext, index: number, name: string): string {
  const value = context.positionals[index];
  if (value === undefined || value === '') throw new UsageError(`Missing <${name}>`);
  return value;
}

function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.options[name];
  return typeof value === 'string' ? value : undefined;
}

function requiredOption(context: CommandContext, name: string): string {
  const value = stringOption(context, name);
  if (value === undefined || value === '') throw new UsageError(`Missing --${name}`);
  return value;
}

/** A positive integer option within [1, max], or the default. */
function intOption(context: CommandContext, name: string, fallback: number, max: number): number {
  const raw = stringOption(context, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(`--${name} must be an integer from 1 to ${max}, not "${raw}"`);
  }
  return value;
}

export type { CliIo, Command, CommandContext, OptionValue };
export { createContext, intOption, positional, requiredOption, stringOption };
