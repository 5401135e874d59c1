/**
 * Where the CLI talks to, and with which key. Each setting is taken from the first of: a flag
 * (`--url`, `--key`), the environment (`HERALD_URL`, `HERALD_API_KEY`), then `.herald/local.json` in
 * the current directory (written by `npm start`). The file's URL and key go together: its admin key is
 * only sent to its own URL, and its URL is only used with its own key — a key from a flag or the
 * environment needs a URL from a flag or the environment, so a `.herald/local.json` planted in some
 * directory cannot collect `HERALD_API_KEY`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

type Source = 'flag' | 'env' | 'local.json';

interface CliConfig {
  readonly apiUrl: string;
  readonly apiKey: string;
  /** The local runtime's metrics URL, when the API is the local runtime's. */
  readonly metricsUrl?: string;
  readonly sources: { readonly apiUrl: Source; readonly apiKey: Source };
}

interface ConfigInputs {
  readonly flags: { readonly url?: string; readonly key?: string };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

interface LocalState {
  readonly apiUrl?: string;
  readonly adminApiKey?: string;
  readonly metricsUrl?: string;
}

const LOCAL_STATE_FILE = join('.herald', 'local.json');

/** Reads `.herald/local.json`; undefined when it does not exist. */
function readLocalState(cwd: string): LocalState | undefined {
  const path = join(cwd, LOCAL_STATE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read ${path}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON`, {
      cause: error,
      hint: 'Restart the local runtime (npm start) to rewrite it.',
    });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ConfigError(`${path} is not a JSON object`);
  const record = parsed as Record<string, unknown>;
  const stringField = (name: string): string | undefined =>
    typeof record[name] === 'string' ? (record[name] as string) : undefined;
  return {
    ...(stringField('apiUrl') !== undefined ? { apiUrl: stringField('apiUrl') } : {}),
    ...(stringField('adminApiKey') !== undefined ? { adminApiKey: stringField('adminApiKey') } : {}),
    ...(stringField('metricsUrl') !== undefined ? { metricsUrl: stringField('metricsUrl') } : {}),
  };
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

const sameOrigin = (a: string, b: string): boolean => {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
};

/** Resolves URL and key; throws ConfigError saying where to set whichever is missing. */
function resolveConfig(inputs: ConfigInputs): CliConfig {
  const local = readLocalState(inputs.cwd);
  const flagUrl = nonEmpty(inputs.flags.url);
  const envUrl = nonEmpty(inputs.env.HERALD_URL);
  const givenKey = nonEmpty(inputs.flags.key) ?? nonEmpty(inputs.env.HERALD_API_KEY);
  if (givenKey !== undefined && flagUrl === undefined && envUrl === undefined) {
    throw new ConfigError('An API key from --key or HERALD_API_KEY needs the URL from --url or HERALD_URL', {
      hint:
        local?.apiUrl !== undefined
          ? `Pass --url or set HERALD_URL; ${LOCAL_STATE_FILE}'s URL is only used with its own key.`
          : 'Pass --url or set HERALD_URL.',
    });
  }
  const apiUrlEntry: [string, Source] | undefined =
    flagUrl !== undefined
      ? [flagUrl, 'flag']
      : envUrl !== undefined
        ? [envUrl, 'env']
        : local?.apiUrl !== undefined
          ? [local.apiUrl, 'local.json']
          : undefined;
  if (apiUrlEntry === undefined) {
    throw new ConfigError('No Herald API URL configured', {
      hint: 'Pass --url, set HERALD_URL, or start the local runtime (npm start) in this directory.',
    });
  }
  const [apiUrl, urlSource] = apiUrlEntry;
  try {
    new URL(apiUrl);
  } catch (error) {
    throw new ConfigError(`The API URL "${apiUrl}" (from ${urlSource}) is not a URL`, { cause: error });
  }
  const isLocal = local?.apiUrl !== undefined && sameOrigin(apiUrl, local.apiUrl);

  const flagKey = nonEmpty(inputs.flags.key);
  const envKey = nonEmpty(inputs.env.HERALD_API_KEY);
  const apiKeyEntry: [string, Source] | undefined =
    flagKey !== undefined
      ? [flagKey, 'flag']
      : envKey !== undefined
        ? [envKey, 'env']
        : isLocal && local?.adminApiKey !== undefined
          ? [local.adminApiKey, 'local.json']
          : undefined;
  if (apiKeyEntry === undefined) {
    throw new ConfigError('No API key configured', {
      hint: isLocal
        ? 'Pass --key or set HERALD_API_KEY.'
        : `Pass --key or set HERALD_API_KEY (the local runtime's admin key is only used for ${local?.apiUrl ?? 'its own URL'}).`,
    });
  }
  const metricsUrl = nonEmpty(inputs.env.HERALD_METRICS_URL) ?? (isLocal ? local?.metricsUrl : undefined);
  return {
    apiUrl,
    apiKey: apiKeyEntry[0],
    ...(metricsUrl !== undefined ? { metricsUrl } : {}),
    sources: { apiUrl: urlSource, apiKey: apiKeyEntry[1] },
  };
}

export type { CliConfig, ConfigInputs, Source };
export { readLocalState, resolveConfig };
