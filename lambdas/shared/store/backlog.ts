/**
 * An endpoint's backlog (adrs/0011, docs/internals.md "Main table"): the deliveries parked while the
 * endpoint is in trouble, one small item each under the endpoint's partition, `EP#<id>` /
 * `PARK#<parkedAt>#<eventId>`, so one query reads them oldest first. The backlog's head — its count,
 * oldest time, and the lease of the one recovery workflow that probes and drains it — lives on the
 * endpoint's health item (`EP#<id>` / `HEALTH`) beside the breaker, so the read dispatch already makes
 * (cached) tells it whether a recovery is running. The head's fields are not breaker transitions: they
 * never touch `version`, and transitions never touch them.
 */
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { compositeKey, conditionally, isConditionFailure, type StoreKey } from './table.js';

/** One parked delivery: enough to find and attempt it (the delivery item holds the rest). */
interface BacklogEntry {
  readonly endpointId: string;
  readonly eventId: string;
  readonly tenantId: string;
  readonly generation: number;
  /** When it was parked (ISO): its place in the queue and the start of its lifetime. */
  readonly parkedAt: string;
}

/** The backlog as the health item carries it. */
interface BacklogHead {
  /** Parked deliveries, kept with ADD; approximate under a crash, reset when a drain empties it. */
  readonly count: number;
  readonly oldestAt?: string;
  /** The recovery workflow that owns the backlog, and until when its lease runs. */
  readonly recoveryId?: string;
  readonly recoveryUntil?: string;
  readonly draining: boolean;
  /** Delivered by the current recovery's drain so far. */
  readonly drained: number;
  /** Parked deliveries that outlived their lifetime, ever (ended `failed`, replayable by window). */
  readonly expired: number;
}

const EMPTY_HEAD: BacklogHead = Object.freeze({ count: 0, draining: false, drained: 0, expired: 0 });

/** Entries outlive the longest lifetime (the event retention) a little, then DynamoDB's TTL drops them. */
const ENTRY_RETENTION_SECONDS = 31 * 24 * 60 * 60;

function headKey(endpointId: string): StoreKey {
  return { pk: compositeKey('EP', endpointId), sk: 'HEALTH' };
}

function entryKey(entry: Pick<BacklogEntry, 'endpointId' | 'eventId' | 'parkedAt'>): StoreKey {
  return {
    pk: compositeKey('EP', entry.endpointId),
    sk: compositeKey('PARK', entry.parkedAt, entry.eventId),
  };
}

function toHead(item: Record<string, unknown> | undefined): BacklogHead {
  if (item === undefined) return EMPTY_HEAD;
  const head: { -readonly [K in keyof BacklogHead]: BacklogHead[K] } = {
    count: Math.max(0, Number(item.backlog ?? 0)),
    draining: item.draining === true,
    drained: Number(item.drained ?? 0),
    expired: Number(item.expired ?? 0),
  };
  for (const key of ['oldestAt', 'recoveryId', 'recoveryUntil'] as const) {
    const value = item[key];
    if (typeof value === 'string') head[key] = value;
  }
  return head;
}

/** Whether a recovery workflow owns the backlog at `now` (its lease has not run out). */
function recoveryLive(head: BacklogHead, now: Date): boolean {
  return head.recoveryUntil !== undefined && Date.parse(head.recoveryUntil) > now.getTime();
}

/**
 * Parks a delivery: writes its entry and counts it. Idempotent: the entry's key comes from the
 * delivery's own `parkedAt`, so a duplicate dispatch re-puts the same item, and only the put that
 * created it counts. Answers the head after the count.
 */
async function parkEntry(entry: BacklogEntry): Promise<BacklogHead | undefined> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: {
          ...entryKey(entry),
          ...entry,
          expiresAt: Math.floor(Date.parse(entry.parkedAt) / 1000) + ENTRY_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
  const result = await documentClient().send(
    new UpdateCommand({
      TableName: config.table(),
      Key: headKey(entry.endpointId),
      UpdateExpression: 'ADD backlog :one SET oldestAt = if_not_exists(oldestAt, :at)',
      ExpressionAttributeValues: { ':one': 1, ':at': entry.parkedAt },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return toHead(result.Attributes);
}

/** The oldest `limit` entries of the backlog, oldest first (a consistent read: the drain's queue). */
async function oldestEntries(endpointId: string, limit: number): Promise<BacklogEntry[]> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: config.table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :park)',
      ExpressionAttributeValues: { ':pk': compositeKey('EP', endpointId), ':park': 'PARK#' },
      ScanIndexForward: true,
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    endpointId: String(item.endpointId),
    eventId: String(item.eventId),
    tenantId: String(item.tenantId),
    generation: Number(item.generation ?? 0),
    parkedAt: String(item.parkedAt),
  }));
}

async function removeEntry(entry: BacklogEntry): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: config.table(), Key: entryKey(entry) }));
}

/**
 * After a drain step: `left` entries fewer (delivered, failed, handed on), `expired` of them by age,
 * `drained` of them delivered; `oldestAt` is the new head of the queue (absent: empty for now).
 */
async function settleEntries(
  endpointId: string,
  change: { left: number; drained: number; expired: number; oldestAt?: string },
): Promise<void> {
  const sets = change.oldestAt !== undefined ? ' SET oldestAt = :oldest' : '';
  const remove = change.oldestAt === undefined ? ' REMOVE oldestAt' : '';
  await documentClient().send(
    new UpdateCommand({
      TableName: config.table(),
      Key: headKey(endpointId),
      UpdateExpression: `ADD backlog :minus, drained :drained, expired :expired${sets}${remove}`,
      ExpressionAttributeValues: {
        ':minus': -change.left,
        ':drained': change.drained,
        ':expired': change.expired,
        ...(change.oldestAt !== undefined ? { ':oldest': change.oldestAt } : {}),
      },
    }),
  );
}

/**
 * Takes the backlog's recovery lease for `recoveryId` until `until`, unless another recovery holds a
 * live one. Exactly one caller wins; it starts the workflow.
 */
async function claimRecovery(
  endpointId: string,
  recoveryId: string,
  until: Date,
  now: Date,
): Promise<boolean> {
  return conditionally(
    new UpdateCommand({
      TableName: config.table(),
      Key: headKey(endpointId),
      UpdateExpression: 'SET recoveryId = :id, recoveryUntil = :until, drained = :zero, draining = :no',
      ConditionExpression: 'attribute_not_exists(recoveryUntil) OR recoveryUntil < :now',
      ExpressionAttributeValues: {
        ':id': recoveryId,
        ':until': until.toISOString(),
        ':now': now.toISOString(),
        ':zero': 0,
        ':no': false,
      },
    }),
  );
}

/** Extends the lease of the recovery that owns it; false when another recovery took over. */
async function renewRecovery(
  endpointId: string,
  recoveryId: string,
  until: Date,
  draining: boolean,
): Promise<boolean> {
  return conditionally(
    new UpdateCommand({
      TableName: config.table(),
      Key: headKey(endpointId),
      UpdateExpression: 'SET recoveryUntil = :until, draining = :draining',
      ConditionExpression: 'recoveryId = :id',
      ExpressionAttributeValues: {
        ':id': recoveryId,
        ':until': until.toISOString(),
        ':draining': draining,
      },
    }),
  );
}

/**
 * Ends the recovery that owns the backlog, having found it empty: the count starts again from zero
 * (a crash between an entry and its count drifts it; an empty queue is the truth). The caller looks
 * at the queue once more afterwards — a delivery parked in between is not left without a recovery.
 */
async function endRecovery(endpointId: string, recoveryId: string): Promise<boolean> {
  return conditionally(
    new UpdateCommand({
      TableName: config.table(),
      Key: headKey(endpointId),
      UpdateExpression: 'SET backlog = :zero REMOVE recoveryId, recoveryUntil, draining, oldestAt',
      ConditionExpression: 'recoveryId = :id',
      ExpressionAttributeValues: { ':id': recoveryId, ':zero': 0 },
    }),
  );
}

/** Lets go of a lease whose workflow could not be started, so the next park can try again. */
async function releaseRecovery(endpointId: string, recoveryId: string): Promise<void> {
  // Another recovery took the lease meanwhile: nothing to let go of.
  await conditionally(
    new UpdateCommand({
      TableName: config.table(),
      Key: headKey(endpointId),
      UpdateExpression: 'REMOVE recoveryId, recoveryUntil',
      ConditionExpression: 'recoveryId = :id',
      ExpressionAttributeValues: { ':id': recoveryId },
    }),
  );
}

export type { BacklogEntry, BacklogHead };
export {
  claimRecovery,
  EMPTY_HEAD,
  endRecovery,
  oldestEntries,
  parkEntry,
  recoveryLive,
  releaseRecovery,
  removeEntry,
  renewRecovery,
  settleEntries,
  toHead,
};
