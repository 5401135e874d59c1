/**
 * Reads a tenant's published v1a keys: the endpoint ids from the list index (gsi1, keys only), then
 * each endpoint item strongly consistent and projected to its public parts — `signatureScheme` and
 * `publicKeys` — so this function never reads a sealed secret, and a rotation with
 * `expireCurrentNow` is reflected from the moment its call answered (docs/internals.md "Signing keys").
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { isSignatureScheme } from '../shared/model.js';
import { compositeKey, type StoreKey } from '../shared/store/table.js';
import type { EndpointKeys, PublishedKey } from './key-set.js';

const PAGE_SIZE = 100;
const FETCH_CONCURRENCY = 10;

function publishedKeysOf(value: unknown): PublishedKey[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((k: Record<string, unknown>) =>
    typeof k?.kid === 'string' && typeof k.publicKey === 'string' && typeof k.createdAt === 'string'
      ? [
          {
            kid: k.kid,
            publicKey: k.publicKey,
            createdAt: k.createdAt,
            ...(typeof k.expiresAt === 'number' ? { expiresAt: k.expiresAt } : {}),
          },
        ]
      : [],
  );
}

async function endpointKeys(key: Record<string, unknown>, gsi1pk: string): Promise<EndpointKeys | undefined> {
  const result = await documentClient().send(
    new GetCommand({
      TableName: config.table(),
      Key: { pk: key.pk, sk: key.sk },
      ConsistentRead: true,
      ProjectionExpression: 'gsi1pk, signatureScheme, publicKeys',
    }),
  );
  const item = result.Item;
  // Deleted since the index saw it, or not this tenant's: not in use.
  if (item === undefined || item.gsi1pk !== gsi1pk) return undefined;
  return {
    ...(isSignatureScheme(item.signatureScheme) ? { signatureScheme: item.signatureScheme } : {}),
    publicKeys: publishedKeysOf(item.publicKeys),
  };
}

/** The public keys and scheme of every endpoint of `tenantId` (all pages). */
async function tenantEndpointKeys(tenantId: string): Promise<EndpointKeys[]> {
  const gsi1pk = compositeKey('TENANT', tenantId, 'EP');
  const found: EndpointKeys[] = [];
  let startKey: StoreKey | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        IndexName: config.listIndex(),
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': gsi1pk },
        Limit: PAGE_SIZE,
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += FETCH_CONCURRENCY) {
      const batch = await Promise.all(
        keys.slice(i, i + FETCH_CONCURRENCY).map((k) => endpointKeys(k, gsi1pk)),
      );
      for (const entry of batch) if (entry !== undefined) found.push(entry);
    }
    startKey = page.LastEvaluatedKey as StoreKey | undefined;
  } while (startKey !== undefined);
  return found;
}

export { tenantEndpointKeys };
