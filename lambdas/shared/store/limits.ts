/**
 * Counters behind the limits (limits.ts, docs/internals.md "Main table"): the number of endpoints of a
 * tenant (`TENANT#<tenantId>` / `LIMITS`, attribute `endpoints`) and the bulk-replay calls of a tenant
 * in one minute (`TENANT#<tenantId>` / `REPLAY#<windowStart>`, attribute `calls`, TTL). Each check is a
 * conditional `ADD`: the test and the count are one write, so concurrent management functions cannot
 * both take the last slot.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { TransientError } from '../errors.js';
import { compositeKey, conditionally, isConditionFailure, type StoreKey } from './table.js';

type Reservation = { readonly ok: true } | { readonly ok: false; readonly current: number };

function tenantKey(tenantId: string, sk: string): StoreKey {
  return { pk: compositeKey('TENANT', tenantId), sk };
}

/** The endpoints a tenant has now, counted on the list index (seeds a counter that did not exist yet). */
async function countEndpoints(tenantId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        IndexName: config.listIndex(),
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': compositeKey('TENANT', tenantId, 'EP') },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

/** The counter as stored now (strongly consistent), or undefined when it has not been created. */
async function storedValue(key: StoreKey, attribute: string): Promise<number | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: key, ConsistentRead: true }),
  );
  const value = result.Item?.[attribute];
  return typeof value === 'number' ? value : undefined;
}

/** Races lost in a row before giving up (each loss means another call changed the counter). */
const MAX_ROUNDS = 5;

/**
 * Adds 1 to `attribute` while it is below `limit`. A counter that does not exist yet starts from
 * `seed()` (what is already there, e.g. endpoints created before counting) or 0.
 */
async function increment(
  key: StoreKey,
  attribute: string,
  limit: number,
  extra: { expiresAt?: number; seed?: () => Promise<number> } = {},
): Promise<Reservation> {
  const ttl = extra.expiresAt === undefined ? {} : { ':exp': extra.expiresAt };
  const names = { '#a': attribute };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const added = await conditionally(
      new UpdateCommand({
        TableName: config.table(),
        Key: key,
        UpdateExpression: `ADD #a :one${extra.expiresAt === undefined ? '' : ' SET expiresAt = :exp'}`,
        ConditionExpression: 'attribute_exists(#a) AND #a < :limit',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ...ttl },
      }),
    );
    if (added) return { ok: true };
    const current = await storedValue(key, attribute);
    if (current !== undefined) {
      if (current >= limit) return { ok: false, current };
      continue; // a slot was given back meanwhile
    }
    const seeded = extra.seed === undefined ? 0 : await extra.seed();
    if (seeded >= limit) return { ok: false, current: seeded };
    const created = await conditionally(
      new UpdateCommand({
        TableName: config.table(),
        Key: key,
        UpdateExpression: `SET #a = :value${extra.expiresAt === undefined ? '' : ', expiresAt = :exp'}`,
        ConditionExpression: 'attribute_not_exists(#a)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':value': seeded + 1, ...ttl },
      }),
    );
    if (created) return { ok: true };
    // Another call created it first: count against theirs on the next round.
  }
  throw new TransientError('The limit counter kept changing under concurrent requests; retry');
}

/** Takes one of the tenant's endpoint slots, or answers how many it has when none is left. */
function reserveEndpointSlot(tenantId: string, limit: number): Promise<Reservation> {
  return increment(tenantKey(tenantId, 'LIMITS'), 'endpoints', limit, {
    seed: () => countEndpoints(tenantId),
  });
}

/** Gives a slot back (the endpoint was deleted, or its create failed after the reservation). */
async function releaseEndpointSlot(tenantId: string): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: tenantKey(tenantId, 'LIMITS'),
        UpdateExpression: 'ADD endpoints :minus',
        ConditionExpression: 'endpoints > :zero',
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      }),
    );
  } catch (error) {
    // No counter (never seeded) or already 0: the next reservation counts from the index anyway.
    if (!isConditionFailure(error)) throw error;
  }
}

/** Counts one bulk-replay call in the window starting at `windowStart`, while below `limit`. */
function takeReplayCall(
  tenantId: string,
  window: { start: number; expiresAt: number },
  limit: number,
): Promise<Reservation> {
  return increment(tenantKey(tenantId, compositeKey('REPLAY', String(window.start))), 'calls', limit, {
    expiresAt: window.expiresAt,
  });
}

export type { Reservation };
export { releaseEndpointSlot, reserveEndpointSlot, takeReplayCall };
