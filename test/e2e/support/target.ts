/**
 * Which Herald the suite talks to. `HERALD_E2E_TARGET=local` (default) starts the Docker-free runtime
 * in-process on free ports; `remote` uses `HERALD_E2E_URL` + `HERALD_E2E_API_KEY` (LocalStack or AWS).
 * Scenarios that need the local fault-injection hooks call `requireLocal()` and are skipped on a
 * remote target with the reason printed.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SfnQuotas } from '../../../local/sfn-quotas.js';

/** The part of `local/runtime.ts`'s HeraldLocal the suite relies on; hooks are optional on purpose. */
interface HeraldLocalLike {
  readonly apiUrl: string;
  /** Function logical id → local function name. */
  readonly functions: Readonly<Record<string, string>>;
  readonly adminApiKey: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly metricsUrl?: string;
  readonly queues: Readonly<Record<string, string>>;
  stop(): Promise<void>;
  killFunctionWorkers?: (name: string) => Promise<void>;
  injectSqsMessage?: (queue: string, body: string) => unknown;
  updateFunctionCode?: (name: string, code?: { assetDir: string; handler?: string }) => Promise<void>;
}

interface StartOptions {
  readonly port?: number;
  readonly stateFile?: string | null;
  readonly timeScale?: number;
  readonly quiet?: boolean;
  readonly skipSynth?: boolean;
  readonly outdir?: string;
  readonly dataDir?: string;
}

type StartHerald = (options?: StartOptions) => Promise<HeraldLocalLike>;

interface E2eTarget {
  readonly kind: 'local' | 'remote';
  readonly apiUrl: string;
  readonly adminKey: string;
  /** Only on the local target: the runtime with its hooks, and an SQS client for its emulator. */
  readonly local?: { readonly runtime: HeraldLocalLike; readonly sqs: SQSClient; readonly timeScale: number };
  stop(): Promise<void>;
}

class TargetConfigError extends Error {
  readonly code = 'e2e_target_config';
  readonly status = 500;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'TargetConfigError';
  }
}

function targetKind(): 'local' | 'remote' {
  const kind = process.env.HERALD_E2E_TARGET ?? 'local';
  if (kind !== 'local' && kind !== 'remote') {
    throw new TargetConfigError(`HERALD_E2E_TARGET must be "local" or "remote", not "${kind}"`);
  }
  return kind;
}

const isLocalTarget = (): boolean => targetKind() === 'local';

/** Prints and returns why a scenario is skipped, for `it.skipIf(...)` call sites. */
function skipReason(scenario: string, needs: string): string | undefined {
  if (isLocalTarget()) return undefined;
  const reason = `[e2e] skipped on remote target: "${scenario}" needs ${needs}`;
  console.warn(reason);
  return reason;
}

/**
 * Whether the target can reach this machine's test receiver: always locally; remotely only through
 * `HERALD_E2E_RECEIVER_BASE` (e.g. a tunnel). Prints the skip reason when it cannot.
 */
function receiverUnreachable(scenario: string): boolean {
  if (isLocalTarget() || process.env.HERALD_E2E_RECEIVER_BASE !== undefined) return false;
  return skipReason(scenario, 'a receiver the target can reach (set HERALD_E2E_RECEIVER_BASE)') !== undefined;
}

/**
 * One synthesized assembly per time scale per vitest run, shared by the test files (each in its own
 * fork): the first file synthesizes under a directory lock, the others reuse it. The run is the vitest
 * main process (every fork's parent) unless HERALD_E2E_RUN_ID says otherwise.
 */
async function sharedAssembly(timeScale: number): Promise<string> {
  const outdir = resolve(`cdk.out.e2e-${timeScale}`);
  if (process.env.HERALD_E2E_SKIP_SYNTH === '1') return outdir;
  const runId = process.env.HERALD_E2E_RUN_ID ?? String(process.ppid);
  const marker = join(outdir, '.e2e-run');
  const lock = `${outdir}.lock`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another file is synthesizing; a lock older than 10 minutes is from a crashed run.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 600_000)
        rmSync(lock, { force: true, recursive: true });
      if (Date.now() > deadline) throw new TargetConfigError(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!existsSync(marker) || readFileSync(marker, 'utf8') !== runId) {
      const { synthesize } = (await import('../../../local/synth.js')) as unknown as {
        synthesize: (options: { outdir: string; timeScale: number }) => Promise<number>;
      };
      await synthesize({ outdir, timeScale });
      writeFileSync(marker, runId);
    }
  } finally {
    rmSync(lock, { force: true, recursive: true });
  }
  return outdir;
}

async function startLocal(
  timeScale: number,
  persistent: boolean,
  sfnQuotas: SfnQuotas | undefined,
): Promise<E2eTarget> {
  // Imported lazily so a remote run needs none of the emulators.
  const runtimeModule = (await import('../../../local/runtime.js')) as unknown as {
    startHerald: StartHerald;
  };
  const outdir = process.env.HERALD_E2E_OUTDIR ?? (await sharedAssembly(timeScale));
  // As `npm start -- --data DIR`: the emulators keep their state on disk (removed when the file ends).
  const dataDir = persistent ? mkdtempSync(join(tmpdir(), 'herald-e2e-data-')) : undefined;
  const runtime = await runtimeModule.startHerald({
    port: 0,
    timeScale,
    quiet: process.env.HERALD_E2E_VERBOSE !== '1',
    skipSynth: true,
    outdir,
    stateFile: null,
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(sfnQuotas !== undefined ? { sfnQuotas } : {}),
  });
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: runtime.sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    kind: 'local',
    apiUrl: runtime.apiUrl.replace(/\/$/, ''),
    adminKey: runtime.adminApiKey,
    local: { runtime, sqs, timeScale },
    async stop() {
      sqs.destroy();
      await runtime.stop();
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The local name of the one function whose logical id matches `pattern` (e.g. /invoice/i). */
function findFunction(runtime: HeraldLocalLike, pattern: RegExp): string {
  const matches = Object.entries(runtime.functions).filter(
    ([id, name]) => pattern.test(id) || pattern.test(name),
  );
  if (matches.length !== 1) {
    throw new TargetConfigError(
      `expected one function matching ${pattern}, found: ${matches.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  return matches[0]![1];
}

function remote(): E2eTarget {
  const apiUrl = process.env.HERALD_E2E_URL;
  const adminKey = process.env.HERALD_E2E_API_KEY;
  if (!apiUrl || !adminKey) {
    throw new TargetConfigError(
      'HERALD_E2E_TARGET=remote needs HERALD_E2E_URL and HERALD_E2E_API_KEY (an admin key)',
    );
  }
  return { kind: 'remote', apiUrl: apiUrl.replace(/\/$/, ''), adminKey, async stop() {} };
}

/**
 * Starts (local) or connects to (remote) the target. `timeScale` multiplies retry waits on the local
 * runtime; `persistent` gives it a data directory (`npm start -- --data`); a remote deployment runs
 * whatever it was deployed with.
 */
async function startTarget(
  options: { timeScale?: number; persistent?: boolean; sfnQuotas?: SfnQuotas } = {},
): Promise<E2eTarget> {
  return isLocalTarget()
    ? startLocal(options.timeScale ?? 0.001, options.persistent === true, options.sfnQuotas)
    : remote();
}

/** The local runtime, or a thrown error naming the scenario (callers skip on remote first). */
function requireLocal(target: E2eTarget): NonNullable<E2eTarget['local']> {
  if (target.local === undefined) throw new TargetConfigError('This scenario needs the local runtime');
  return target.local;
}

export type { E2eTarget, HeraldLocalLike };
export { findFunction, receiverUnreachable, requireLocal, sharedAssembly, skipReason, startTarget };
