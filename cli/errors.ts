/**
 * CLI errors. Every failure the CLI reports is one of these, so `main.ts` can print one consistent
 * message (code, detail, a hint) and map it to an exit code. Like the server's errors, each carries a
 * machine `code`, the HTTP `status` it came from (0 when no HTTP answer) and whether retrying may help.
 */
import { EXIT, type ExitCode } from './exit-codes.js';

interface CliErrorOptions {
  readonly cause?: unknown;
  readonly detail?: Record<string, unknown>;
  readonly hint?: string;
}

class CliError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly exitCode: ExitCode;
  readonly detail?: Record<string, unknown>;
  readonly hint?: string;

  constructor(
    message: string,
    fields: { code: string; status: number; retryable: boolean; exitCode: ExitCode },
    options: CliErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = fields.code;
    this.status = fields.status;
    this.retryable = fields.retryable;
    this.exitCode = fields.exitCode;
    if (options.detail !== undefined) this.detail = options.detail;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/** Bad command line: unknown command or flag, missing argument, unparsable value. */
class UsageError extends CliError {
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, { code: 'usage', status: 0, retryable: false, exitCode: EXIT.usage }, options);
  }
}

/** No API URL or key could be found, or `.herald/local.json` is unreadable. */
class ConfigError extends CliError {
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, { code: 'config', status: 0, retryable: false, exitCode: EXIT.usage }, options);
  }
}

/** The API answered with an error (a problem document, or something else with a non-2xx status). */
class ApiError extends CliError {
  constructor(
    message: string,
    fields: { code: string; status: number; retryable: boolean; exitCode: ExitCode },
    options: CliErrorOptions = {},
  ) {
    super(message, fields, options);
  }
}

/** Something the CLI looked up itself (e.g. a DLQ by name in `GET /v1/dlq`) does not exist. */
class MissingResourceError extends CliError {
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, { code: 'not_found', status: 404, retryable: false, exitCode: EXIT.notFound }, options);
  }
}

/** No HTTP answer at all: connection refused, DNS failure, timeout. */
class NetworkError extends CliError {
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, { code: 'network', status: 0, retryable: true, exitCode: EXIT.unavailable }, options);
  }
}

export type { CliErrorOptions };
export { ApiError, CliError, ConfigError, MissingResourceError, NetworkError, UsageError };
