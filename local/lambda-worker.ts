// Worker-thread entry: loads one function's bundle and runs invocations sent by the pool.
// Self-contained (node: imports only, erasable types) so Node can load it directly as TypeScript.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

interface WorkerConfig {
  readonly entryFile: string;
  readonly exportName: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memoryMb: number;
}

interface InvokeMessage {
  readonly id: number;
  readonly event: unknown;
  readonly deadline: number;
}

type Handler = (
  event: unknown,
  context: Record<string, unknown>,
  callback?: (err: unknown, result?: unknown) => void,
) => unknown;

const config = workerData as WorkerConfig;
let handlerPromise: Promise<Handler> | undefined;

async function loadHandler(): Promise<Handler> {
  const mod = (await import(pathToFileURL(config.entryFile).href)) as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  const fn = mod[config.exportName] ?? mod.default?.[config.exportName];
  if (typeof fn !== 'function') throw new Error(`${config.entryFile} does not export ${config.exportName}`);
  return fn as Handler;
}

function lambdaContext(deadline: number): Record<string, unknown> {
  return {
    functionName: config.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: config.functionArn,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${config.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function invoke(message: InvokeMessage): Promise<unknown> {
  handlerPromise ??= loadHandler();
  const handler = await handlerPromise;
  return new Promise((resolve, reject) => {
    const callback = (err: unknown, result?: unknown) => (err ? reject(err) : resolve(result));
    try {
      const returned = handler(message.event, lambdaContext(message.deadline), callback);
      if (returned !== undefined && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

// Init phase: load the bundle now, and tell the pool when done (a failed load is reported by the
// first invocation, as Lambda reports an init error), so its timeout covers the handler alone.
handlerPromise = loadHandler();
handlerPromise.then(
  () => parentPort?.postMessage({ initialized: true }),
  () => parentPort?.postMessage({ initialized: true }),
);

parentPort?.on('message', (message: InvokeMessage) => {
  invoke(message).then(
    (result) =>
      parentPort?.postMessage({ id: message.id, ok: true, result: result === undefined ? null : result }),
    (error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      // Like the Lambda runtime: the error is logged, and the caller sees errorType/errorMessage.
      console.error(
        JSON.stringify({
          level: 'ERROR',
          message: 'Invoke Error',
          errorType: err.name,
          errorMessage: err.message,
          stack: err.stack,
        }),
      );
      parentPort?.postMessage({ id: message.id, ok: false, errorType: err.name, errorMessage: err.message });
    },
  );
});
