// Runs a function's invocations in a small pool of worker threads, enforcing its timeout.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

export interface FunctionSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** Directory of the staged asset and the `file.export` handler string. */
  readonly assetDir: string;
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly maxConcurrency: number;
}

/** A function error, as the Lambda Invoke API reports it (FunctionError: Unhandled). */
export class FunctionInvocationError extends Error {
  readonly code = 'function_error';
  readonly status = 502;
  readonly retryable = true;
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

export class FunctionTimeoutError extends FunctionInvocationError {
  constructor(functionName: string, timeoutSeconds: number) {
    super('Sandbox.Timedout', `${functionName}: task timed out after ${timeoutSeconds} seconds`);
  }
}

export type LineSink = (functionName: string, stream: 'stdout' | 'stderr', line: string) => void;

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  /** Settles when the worker has loaded the bundle (Lambda's init phase), whether or not that succeeded. */
  readonly initialized: Promise<void>;
  pending: (Pending & { id: number }) | undefined;
}

/**
 * Lambda gives a sandbox's init phase its own limit (10 s), apart from the function timeout: a cold
 * start on a busy machine must not eat the invocation's time, or a 5 s authorizer times out locally
 * while loading its bundle.
 */
const INIT_LIMIT_MS = 10_000;

const WORKER_FILE = new URL('./lambda-worker.ts', import.meta.url);

/** Finds the bundle file for a `file.export` handler string. */
function resolveHandler(assetDir: string, handler: string): { entryFile: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  const base = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  for (const ext of ['.mjs', '.js', '.cjs']) {
    const file = join(assetDir, base + ext);
    if (existsSync(file)) return { entryFile: file, exportName };
  }
  throw new Error(`handler ${handler}: no ${base}.mjs/.js/.cjs in ${assetDir}`);
}

/**
 * On Lambda, /var/task has no package.json, so a bundle's .js file is CommonJS. Locally the asset sits
 * under the project, whose package.json says "type": "module"; a package.json in the asset directory
 * restores Lambda's reading.
 */
function ensureLambdaModuleScope(assetDir: string, entryFile: string): void {
  const marker = join(assetDir, 'package.json');
  if (entryFile.endsWith('.js') && !existsSync(marker)) writeFileSync(marker, '{ "type": "commonjs" }\n');
}

export class LambdaPool {
  private readonly slots = new Set<Slot>();
  private readonly busy = new Set<Slot>();
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closed = false;
  invocations = 0;
  errors = 0;
  /** Wall ms spent in invocations (message posted → reply), summed: Lambda's billed duration, locally. */
  durationMs = 0;

  constructor(
    public spec: FunctionSpec,
    private readonly onLine: LineSink,
  ) {}

  /**
   * Like `aws lambda update-function-code`: later invocations run the bundle in `assetDir` (handler
   * `handler`, else the same one). Workers holding the old code are ended; in-flight invocations fail
   * like a crashed sandbox, so SQS gives their records back.
   */
  async updateCode(assetDir: string, handler = this.spec.handler): Promise<void> {
    this.spec = { ...this.spec, assetDir, handler };
    await this.killWorkers();
  }

  /** Invokes the function with `event`; rejects with FunctionInvocationError on a handler error or timeout. */
  async invoke(event: unknown): Promise<unknown> {
    if (this.closed) throw new FunctionInvocationError('Local.PoolClosed', `${this.spec.name} is stopped`);
    const slot = await this.acquire();
    try {
      await this.initialized(slot);
    } catch (error) {
      this.errors++;
      this.release(slot);
      throw error;
    }
    const id = this.nextId++;
    this.invocations++;
    const deadline = Date.now() + this.spec.timeoutSeconds * 1000;
    const started = performance.now();
    try {
      return await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          // A timed-out Lambda's sandbox is gone: terminate the worker, the next invocation starts a fresh one.
          void this.discard(slot);
          reject(new FunctionTimeoutError(this.spec.name, this.spec.timeoutSeconds));
        }, this.spec.timeoutSeconds * 1000);
        slot.pending = { id, resolve, reject, timer };
        slot.worker.postMessage({ id, event, deadline });
      });
    } catch (error) {
      this.errors++;
      throw error;
    } finally {
      this.durationMs += performance.now() - started;
      slot.pending = undefined;
      this.release(slot);
    }
  }

  /** Waits for the slot's init phase, at most INIT_LIMIT_MS; past that the sandbox is discarded. */
  private async initialized(slot: Slot): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void this.discard(slot);
        reject(
          new FunctionInvocationError(
            'Sandbox.Timedout',
            `${this.spec.name}: init phase did not finish in ${INIT_LIMIT_MS / 1000} seconds`,
          ),
        );
      }, INIT_LIMIT_MS);
    });
    try {
      await Promise.race([slot.initialized, limit]);
    } finally {
      clearTimeout(timer);
    }
    if (!this.slots.has(slot))
      throw new FunctionInvocationError('Runtime.ExitError', `${this.spec.name}: worker exited during init`);
  }

  /** Terminates every worker (fault injection: in-flight invocations fail like a crashed sandbox). */
  async killWorkers(): Promise<void> {
    await Promise.all([...this.slots].map((slot) => this.discard(slot)));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    await this.killWorkers();
  }

  get size(): number {
    return this.slots.size;
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new FunctionInvocationError('Local.PoolClosed', `${this.spec.name} is stopped`);
      const idle = [...this.slots].find((s) => !this.busy.has(s));
      const slot = idle ?? (this.slots.size < this.spec.maxConcurrency ? this.spawn() : undefined);
      if (slot !== undefined) {
        this.busy.add(slot);
        return slot;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(slot: Slot): void {
    this.busy.delete(slot);
    this.waiting.shift()?.();
  }

  private spawn(): Slot {
    const { entryFile, exportName } = resolveHandler(this.spec.assetDir, this.spec.handler);
    ensureLambdaModuleScope(this.spec.assetDir, entryFile);
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        entryFile,
        exportName,
        functionName: this.spec.name,
        functionArn: this.spec.arn,
        memoryMb: this.spec.memoryMb,
      },
      env: { ...this.spec.environment },
      stdout: true,
      stderr: true,
      execArgv: [],
      // The OS thread name (15 bytes kept): per-function CPU from /proc/<pid>/task/*/comm.
      name: `fn:${this.spec.logicalId.replace(/[0-9A-F]{8}$/, '')}`,
    });
    let markInitialized: () => void = () => undefined;
    const initialized = new Promise<void>((resolve) => {
      markInitialized = resolve;
    });
    const slot: Slot = { worker, initialized, pending: undefined };
    this.slots.add(slot);
    this.pipe(worker.stdout, 'stdout');
    this.pipe(worker.stderr, 'stderr');
    worker.on('message', (reply: Reply | { readonly initialized: true }) => {
      if ('initialized' in reply) return markInitialized();
      const p = slot.pending;
      if (p === undefined || p.id !== reply.id) return;
      clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply.result);
      else
        p.reject(
          new FunctionInvocationError(reply.errorType ?? 'Error', reply.errorMessage ?? 'function error'),
        );
    });
    const fail = (reason: string) => {
      markInitialized(); // a worker that died while loading: the invocation fails below, not at the init limit
      this.slots.delete(slot);
      const p = slot.pending;
      if (p !== undefined) {
        clearTimeout(p.timer);
        p.reject(new FunctionInvocationError('Runtime.ExitError', `${this.spec.name}: ${reason}`));
      }
      this.waiting.shift()?.();
    };
    worker.on('error', (error) => fail(`worker error: ${error.message}`));
    worker.on('exit', (code) => fail(`worker exited with code ${code}`));
    return slot;
  }

  private async discard(slot: Slot): Promise<void> {
    this.slots.delete(slot);
    await slot.worker.terminate();
  }

  private pipe(stream: Readable, name: 'stdout' | 'stderr'): void {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      this.onLine(this.spec.name, name, line),
    );
  }
}
