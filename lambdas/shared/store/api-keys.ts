/**
 * API key items (docs/internals.md "Main table"): `APIKEY#<keyId>` / `APIKEY`, listed through gsi1
 * (`APIKEYS`, `<createdAt>#<keyId>`). Only the SHA-256 hash of a key is stored, never the key.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { generateApiKey } from '../apikeys.js';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { compositeKey, type Page, queryGsi1Page, type StoreKey } from './table.js';

type Role = 'admin' | 'publisher' | 'tenant';

interface ApiKeyRecord {
  readonly id: string;
  readonly name?: string;
  readonly role: Role;
  readonly tenantId?: string;
  /** Publisher keys limited to a set of tenants (API.md "Keys and tenants", extended). */
  readonly tenantIds?: readonly string[];
  readonly hash: string;
  readonly createdAt: string;
}

/** What a listing shows: everything but the hash. */
type ApiKeySummary = Omit<ApiKeyRecord, 'hash'>;

const ROLES: readonly Role[] = ['admin', 'publisher', 'tenant'];

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function keyOf(id: string): StoreKey {
  return { pk: compositeKey('APIKEY', id), sk: 'APIKEY' };
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(item.id),
    role: isRole(item.role) ? item.role : 'tenant',
    hash: String(item.hash),
    createdAt: String(item.createdAt),
    ...(typeof item.name === 'string' ? { name: item.name } : {}),
    ...(typeof item.tenantId === 'string' ? { tenantId: item.tenantId } : {}),
    ...(Array.isArray(item.tenantIds) ? { tenantIds: item.tenantIds.map(String) } : {}),
  };
}

function summarize(record: ApiKeyRecord): ApiKeySummary {
  const { hash: _hash, ...summary } = record;
  return summary;
}

/** Writes a new key; the id is random, so an existing item means a bug — fail rather than overwrite. */
async function putApiKey(
  record: ApiKeyRecord,
  target: { tableName?: string; client?: DynamoDBDocumentClient } = {},
): Promise<void> {
  await (target.client ?? documentClient()).send(
    new PutCommand({
      TableName: target.tableName ?? config.table(),
      Item: {
        ...keyOf(record.id),
        gsi1pk: 'APIKEYS',
        gsi1sk: compositeKey(record.createdAt, record.id),
        ...record,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** A key just made: the whole key is shown once and never stored. */
interface CreatedKey {
  readonly id: string;
  readonly key: string;
}

/**
 * Makes an admin key and stores its hash: the first key of a deployment (scripts/create-admin-key.ts)
 * and of the local runtime (local/admin-key.ts) are made here.
 */
async function createAdminKey(
  tableName: string,
  client?: DynamoDBDocumentClient,
  name = 'bootstrap admin',
): Promise<CreatedKey> {
  const { id, key, hash } = generateApiKey();
  await putApiKey(
    { id, name, role: 'admin', hash, createdAt: new Date().toISOString() },
    { tableName, ...(client === undefined ? {} : { client }) },
  );
  return { id, key };
}

/** Strongly consistent read, so that a revocation takes effect on the very next request. */
async function getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: keyOf(id), ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : toRecord(result.Item);
}

async function listApiKeys(options: { limit: number; startKey?: StoreKey }): Promise<Page<ApiKeySummary>> {
  const page = await queryGsi1Page('APIKEYS', options);
  return { ...page, items: page.items.map((item) => summarize(toRecord(item))) };
}

/** Deletes the key item; answers false when there was none. */
async function deleteApiKey(id: string): Promise<boolean> {
  const result = await documentClient().send(
    new DeleteCommand({ TableName: config.table(), Key: keyOf(id), ReturnValues: 'ALL_OLD' }),
  );
  return result.Attributes !== undefined;
}

export type { ApiKeyRecord, ApiKeySummary, CreatedKey, Role };
export {
  createAdminKey,
  deleteApiKey,
  getApiKey,
  isRole,
  keyOf as apiKeyItemKey,
  listApiKeys,
  putApiKey,
  summarize,
};
