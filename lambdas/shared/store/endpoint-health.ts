/**
 * Endpoint health and rate-limit items (docs/internals.md "Main table"), beside the endpoint under its
 * partition: `EP#<id>` / `HEALTH` holds the breaker state (lambdas/webhooks/health/breaker.ts),
 * `EP#<id>` / `RATE#<epoch second>` one rate-limit window's count. Transitions are conditional on a
 * `version` the transitions alone bump; a failure that changes nothing but the streak is an atomic
 * ADD, so a hanging endpoint's concurrent failures do not fight over one item.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { type EndpointHealth, HEALTH_FIELDS, HEALTHY } from '../model.js';
import { type BacklogHead, EMPTY_HEAD, toHead } from './backlog.js';
import type { StoreKey } from './table.js';
import { compositeKey, isConditionFailure } from './table.js';

interface StoredHealth {
  readonly health: EndpointHealth;
  /** 0 when no item exists yet. */
  readonly version: number;
  /** The endpoint's backlog head, on the same item (store/backlog.ts). */
  readonly backlog: BacklogHead;
}

/** Health items outlive an idle endpoint's last change by this much (then a fresh one starts healthy). */
const HEALTH_RETENTION_SECONDS = 30 * 24 * 60 * 60;
/** A window's count is useless a moment after its second; keep it an hour for inspection. */
const RATE_RETENTION_SECONDS = 60 * 60;

function healthKey(endpointId: string): StoreKey {
  return { pk: compositeKey('EP', endpointId), sk: 'HEALTH' };
}

function rateKey(endpointId: string, window: number): StoreKey {
  return { pk: compositeKey('EP', endpointId), sk: compositeKey('RATE', String(window)) };
}

function toHealth(item: Record<string, unknown>): EndpointHealth {
  const text = (key: string) => (typeof item[key] === 'string' ? { [key]: item[key] as string } : {});
  return {
    state: item.state === 'open' ? 'open' : 'closed',
    failureStreak: Number(item.failureStreak ?? 0),
    failingNotified: item.failingNotified === true,
    ...text('failingSince'),
    ...text('lastFailureAt'),
    ...text('openedAt'),
    ...(item.openReason === 'timeout' || item.openReason === 'failures' || item.openReason === 'slow'
      ? { openReason: item.openReason }
      : {}),
    ...text('holdUntil'),
    ...text('disabledAt'),
    ...text('recoveredAt'),
  };
}

async function getHealth(endpointId: string, consistent = false): Promise<StoredHealth> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: healthKey(endpointId), ConsistentRead: consistent }),
  );
  if (result.Item === undefined) return { health: HEALTHY, version: 0, backlog: EMPTY_HEAD };
  return {
    health: toHealth(result.Item),
    version: Number(result.Item.version ?? 0),
    backlog: toHead(result.Item),
  };
}

/**
 * Health of several endpoints (an API page of at most 100), read in parallel; missing ones are
 * healthy. Plain GetItems rather than BatchGetItem keep the management function's grants to the
 * item actions it already has.
 */
async function getHealths(endpointIds: readonly string[]): Promise<Map<string, StoredHealth>> {
  const read = await Promise.all(endpointIds.map(async (id) => [id, await getHealth(id)] as const));
  return new Map(read);
}

function expiresAt(now: Date): number {
  return Math.floor(now.getTime() / 1000) + HEALTH_RETENTION_SECONDS;
}

/**
 * Writes a transition if the item is still at `expectedVersion`; the streak is counted with ADD
 * (`countFailure`) or reset, never overwritten. Answers false when another writer moved it first —
 * the caller re-reads and decides again.
 */
async function writeTransition(
  endpointId: string,
  expectedVersion: number,
  next: EndpointHealth,
  options: { countFailure: boolean; now: Date },
): Promise<boolean> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':version': expectedVersion + 1,
    ':expected': expectedVersion,
    ':exp': expiresAt(options.now),
  };
  const sets = ['version = :version', 'expiresAt = :exp'];
  const removes: string[] = [];
  // The streak is counted (ADD) or reset below, never overwritten.
  for (const field of HEALTH_FIELDS) {
    if (field === 'failureStreak') continue;
    names[`#${field}`] = field;
    const value = next[field];
    if (value === undefined) removes.push(`#${field}`);
    else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  let expression = `SET ${sets.join(', ')}`;
  if (options.countFailure) {
    expression += ' ADD failureStreak :one';
    values[':one'] = 1;
  } else {
    expression = expression.replace('SET ', 'SET failureStreak = :zero, ');
    values[':zero'] = 0;
  }
  if (removes.length > 0) expression += ` REMOVE ${removes.join(', ')}`;
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: healthKey(endpointId),
        UpdateExpression: expression,
        ConditionExpression:
          expectedVersion === 0
            ? 'attribute_not_exists(version) OR version = :expected'
            : 'version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Counts one more failure without a transition: atomic, unconditional. */
async function countFailure(endpointId: string, at: Date): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.table(),
      Key: healthKey(endpointId),
      UpdateExpression:
        'ADD failureStreak :one SET failingSince = if_not_exists(failingSince, :at), lastFailureAt = :at, expiresAt = :exp',
      ExpressionAttributeValues: { ':one': 1, ':at': at.toISOString(), ':exp': expiresAt(at) },
    }),
  );
}

/** The attribute of probe slot `slot`: `probeUntil`, then `probeUntil1`, ... (a slow receiver's width). */
const probeField = (slot: number): string => (slot === 0 ? 'probeUntil' : `probeUntil${slot}`);

/**
 * Takes probe slot `slot` of the endpoint (adrs/0007): while its breaker is open, one workflow attempt
 * at a time POSTs to it (a slow receiver: one per slot). Answers false while another attempt's lease on
 * that slot runs. Not a transition: it leaves `version` alone, and transitions leave the slots alone.
 */
async function claimProbe(endpointId: string, now: Date, until: Date, slot = 0): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: healthKey(endpointId),
        UpdateExpression: 'SET #probe = :until',
        ConditionExpression: 'attribute_not_exists(#probe) OR #probe < :now',
        ExpressionAttributeNames: { '#probe': probeField(slot) },
        ExpressionAttributeValues: { ':until': until.toISOString(), ':now': now.toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Ends the probe this attempt holds, so the next attempt need not wait out the lease. */
async function releaseProbe(endpointId: string, until: Date, slot = 0): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: healthKey(endpointId),
        UpdateExpression: 'REMOVE #probe',
        ConditionExpression: '#probe = :until',
        ExpressionAttributeNames: { '#probe': probeField(slot) },
        ExpressionAttributeValues: { ':until': until.toISOString() },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Forgets the endpoint's breaker state (re-enabled by a user): it starts healthy again. Only the
 * breaker's fields go; the backlog head on the same item (store/backlog.ts) stays.
 */
async function resetHealth(endpointId: string): Promise<void> {
  const names = Object.fromEntries(HEALTH_FIELDS.map((field) => [`#${field}`, field]));
  await documentClient().send(
    new UpdateCommand({
      TableName: config.table(),
      Key: healthKey(endpointId),
      UpdateExpression: `REMOVE version, probeUntil, ${Object.keys(names).join(', ')}`,
      ExpressionAttributeNames: names,
    }),
  );
}

/** Adds this delivery to the endpoint's `window` and answers the window's count after it. */
async function takeRateSlot(endpointId: string, window: number): Promise<number> {
  const result = await documentClient().send(
    new UpdateCommand({
      TableName: config.table(),
      Key: rateKey(endpointId, window),
      UpdateExpression: 'ADD n :one SET expiresAt = if_not_exists(expiresAt, :exp)',
      ExpressionAttributeValues: { ':one': 1, ':exp': window + RATE_RETENTION_SECONDS },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(result.Attributes?.n ?? 1);
}

/** For tests and tools: seeds a health item as if written by transitions. */
async function putHealth(endpointId: string, health: EndpointHealth, version = 1): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.table(),
      Item: { ...healthKey(endpointId), ...health, version, expiresAt: expiresAt(new Date()) },
    }),
  );
}

export type { StoredHealth };
export {
  claimProbe,
  countFailure,
  getHealth,
  getHealths,
  putHealth,
  releaseProbe,
  resetHealth,
  takeRateSlot,
  writeTransition,
};
