import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FunctionInvocationError,
  type FunctionSpec,
  FunctionTimeoutError,
  LambdaPool,
} from '../../local/lambda-pool.js';

const assetDir = fileURLToPath(new URL('./fixtures/handlers', import.meta.url));
const spec = (handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
  logicalId: 'Fn',
  name: 'fixture-fn',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-fn',
  assetDir,
  handler,
  environment: { FIXTURE_VALUE: 'from-env' },
  timeoutSeconds: 1,
  memoryMb: 128,
  maxConcurrency: 2,
  ...extra,
});

describe('LambdaPool', () => {
  const pools: LambdaPool[] = [];
  const lines: string[] = [];
  const pool = (s: FunctionSpec) => {
    const p = new LambdaPool(s, (name, _stream, line) => lines.push(`${name}|${line}`));
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  it('runs the handler in a worker with its own environment and a Lambda context', async () => {
    const result = await pool(spec('index.echo')).invoke({ hello: 1 });
    expect(result).toEqual({ event: { hello: 1 }, functionName: 'fixture-fn', env: 'from-env' });
    expect(process.env.FIXTURE_VALUE).toBeUndefined();
  });

  it('terminates the worker when the timeout passes, and the next invocation gets a fresh one', async () => {
    const p = pool(spec('index.slow'));
    const started = Date.now();
    await expect(p.invoke({ ms: 5000 })).rejects.toBeInstanceOf(FunctionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(p.size).toBe(0);
    await expect(p.invoke({ ms: 10 })).resolves.toEqual({ slept: 10 });
  });

  it('does not count the init phase (loading the bundle) against the function timeout', async () => {
    const p = pool(spec('slow-init.handler'));
    await expect(p.invoke({ n: 1 })).resolves.toEqual({ initialized: true, event: { n: 1 } });
    // The warm sandbox still enforces the timeout on the handler itself.
    const slow = pool(spec('index.slow'));
    await expect(slow.invoke({ ms: 5000 })).rejects.toBeInstanceOf(FunctionTimeoutError);
  });

  it('reports handler errors with their type and prefixes the logged error with the function name', async () => {
    const error = await pool(spec('index.fail'))
      .invoke({})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FunctionInvocationError);
    expect((error as FunctionInvocationError).errorType).toBe('TypeError');
    expect(lines.some((l) => l.startsWith('fixture-fn|') && l.includes('fixture failure'))).toBe(true);
  });

  it('runs invocations concurrently up to the pool size', async () => {
    // Three sandboxes serve three simultaneous invocations (a serial pool would reuse one); no wall-clock
    // bound, so a busy machine cannot fail it.
    const p = pool(spec('index.slow', { timeoutSeconds: 5, maxConcurrency: 3 }));
    await Promise.all([p.invoke({ ms: 400 }), p.invoke({ ms: 400 }), p.invoke({ ms: 400 })]);
    expect(p.size).toBe(3);
    const capped = pool(spec('index.slow', { timeoutSeconds: 5, maxConcurrency: 2 }));
    await Promise.all([capped.invoke({ ms: 400 }), capped.invoke({ ms: 400 }), capped.invoke({ ms: 400 })]);
    expect(capped.size).toBe(2);
  });

  it('killWorkers fails in-flight invocations like a crashed sandbox; close fails queued ones', async () => {
    const p = pool(spec('index.slow', { timeoutSeconds: 5, maxConcurrency: 1 }));
    const inFlight = p.invoke({ ms: 2000 }).catch((e: unknown) => e);
    const queued = p.invoke({ ms: 10 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await p.killWorkers();
    expect(((await inFlight) as FunctionInvocationError).errorType).toBe('Runtime.ExitError');
    await expect(queued).resolves.toEqual({ slept: 10 }); // the queued one gets a fresh worker
    const blocker = p.invoke({ ms: 2000 }).catch((e: unknown) => e);
    const waiting = p.invoke({ ms: 10 }).catch((e: unknown) => e);
    await p.close();
    expect(((await waiting) as FunctionInvocationError).errorType).toBe('Local.PoolClosed');
    expect(((await blocker) as FunctionInvocationError).errorType).toBe('Runtime.ExitError');
  });
});
