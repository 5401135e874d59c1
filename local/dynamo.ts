// Plays the template's DynamoDB tables in dynalite (in memory, or LevelDB on disk with a data dir).
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
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

type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

export interface LocalDynamo {
  readonly endpoint: string;
  readonly tables: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

export async function startDynamo(options: {
  port: number;
  path?: string;
}): Promise<{ server: Server; endpoint: string }> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}` };
}

/** Builds CreateTable input from an AWS::DynamoDB::Table (or GlobalTable) resource: keys and indexes only. */
export function createTableInput(
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
