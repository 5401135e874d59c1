// Plays the template's DynamoDB tables in dynalite (in memory, or LevelDB on disk with a data dir).
// dynalite runs in a child process (dynamo-server.ts): it is the busiest emulator, and on the runtime's
// main thread it queued the HTTP API, the pollers and the other emulators behind it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { FAKE_CREDENTIALS } from './env.js';
import type { LocalResource, ResolveContext } from './intrinsics.js';
import { resolveString, resolveValue } from './intrinsics.js';
import { type CloudAssembly, generatedName, resourcesOfType } from './template.js';

const SERVER_FILE = new URL('./dynamo-server.ts', import.meta.url);
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface DynamoServer {
  readonly endpoint: string;
  /** The dynalite child process (for resource accounting). */
  readonly pid: number | undefined;
  /** Requests dynalite has received, by operation (`PutItem`, `Query`, ...), since it started. */
  requestCounts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

class DynamoStartError extends Error {
  readonly code = 'Local.DynamoStartFailed';
  readonly status = 500;
  readonly retryable = false;
}

/** Starts dynalite in a child process on a free loopback port; `path` keeps LevelDB files there. */
export async function startDynamo(options: { path?: string } = {}): Promise<DynamoServer> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(SERVER_FILE), ...(options.path ? ['--data', options.path] : [])],
    { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] },
  );
  child.channel?.unref();
  // Should the parent exit without stop(), take the child along (its closed stdin also ends it).
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  try {
    const port = await readPort(child, exited, () => stderr);
    let stopping: Promise<void> | undefined;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      pid: child.pid,
      requestCounts: () => askCounts(child),
      stop: () => {
        stopping ??= stopChild(child, exited).finally(() => process.off('exit', killOnExit));
        return stopping;
      },
    };
  } catch (error) {
    await stopChild(child, exited);
    process.off('exit', killOnExit);
    throw error;
  }
}

function readPort(child: ChildProcess, exited: Promise<void>, stderr: () => string): Promise<number> {
  return new Promise<number>((resolvePort, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(
      () => reject(new DynamoStartError(`dynalite did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      const port = (JSON.parse(line) as { port?: unknown }).port;
      if (typeof port === 'number') resolvePort(port);
      else reject(new DynamoStartError(`dynalite reported no port: ${line}`));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new DynamoStartError(`dynalite exited before listening: ${stderr().trim()}`));
    });
  });
}

function askCounts(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolveCounts, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new DynamoStartError('dynalite did not answer "counts" within 5 s'));
    }, 5_000);
    const onMessage = (message: unknown) => {
      const counts = (message as { counts?: Record<string, number> } | null)?.counts;
      if (counts === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolveCounts({ ...counts });
    };
    child.on('message', onMessage);
    child.send('counts');
  });
}

/** SIGTERM lets the child close LevelDB; SIGKILL if it has not gone in time. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Builds CreateTable input from an AWS::DynamoDB::Table (or GlobalTable) resource: keys and indexes only. */
function createTableInput(
  props: Record<string, unknown>,
  name: string,
  ctx: ResolveContext,
): CreateTableCommandInput {
  // Only keys and indexes matter locally (encryption, streams, PITR, TTL are not played).
  const wanted = ['AttributeDefinitions', 'KeySchema', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'];
  const p = resolveValue(Object.fromEntries(wanted.map((k) => [k, props[k]])), ctx) as Record<
    string,
    unknown
  >;
  const gsis = p.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined;
  const lsis = p.LocalSecondaryIndexes as Array<Record<string, unknown>> | undefined;
  const strip = (i: Record<string, unknown>) =>
    ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection }) as never;
  return {
    TableName: name,
    AttributeDefinitions: p.AttributeDefinitions as AttributeDefinition[],
    KeySchema: p.KeySchema as never,
    BillingMode: 'PAY_PER_REQUEST',
    ...(gsis?.length ? { GlobalSecondaryIndexes: gsis.map(strip) } : {}),
    ...(lsis?.length ? { LocalSecondaryIndexes: lsis.map(strip) } : {}),
  };
}

/** Creates every table of the template (existing ones, from a data dir, are kept) and registers them for resolution. */
export async function createTables(
  endpoint: string,
  region: string,
  assembly: CloudAssembly,
  ctx: ResolveContext & { resources: Map<string, LocalResource> },
): Promise<Map<string, string>> {
  const client = new DynamoDBClient({ endpoint, region, credentials: FAKE_CREDENTIALS });
  const tables = new Map<string, string>();
  try {
    const defs = [
      ...resourcesOfType(assembly, 'AWS::DynamoDB::Table'),
      ...resourcesOfType(assembly, 'AWS::DynamoDB::GlobalTable'),
    ];
    for (const [id, res] of defs) {
      const props = res.Properties ?? {};
      const name =
        props.TableName === undefined
          ? generatedName(assembly.stackName, id, 255)
          : resolveString(props.TableName, ctx);
      try {
        await client.send(new CreateTableCommand(createTableInput(props, name, ctx)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableExists({ client, minDelay: 1, maxDelay: 1, maxWaitTime: 10 }, { TableName: name });
      const arn = `arn:aws:dynamodb:${region}:${ctx.accountId}:table/${name}`;
      tables.set(id, name);
      ctx.resources.set(id, { ref: name, attrs: { Arn: arn, StreamArn: `${arn}/stream/local` } });
    }
  } finally {
    client.destroy();
  }
  return tables;
}
