/**
 * Delivery and attempt items (docs/internals.md "Main table"). A delivery (`EVT#<eventId>` /
 * `DLV#<endpointId>`) is the state of one event → one endpoint; its attempts sit beside it under
 * `ATT#<endpointId>#<gen:3>#<attempt:3>`, so one query per event reads both. Every state change is a
 * conditional write: the claim makes dispatch idempotent, the generation check keeps a superseded
 * retry workflow from overwriting a replay's state. A `pending` delivery carries a lease
 * (`claimedUntil`) so a concurrent duplicate waits for the first attempt instead of sending another.
 *
 * A generation's first attempt is folded into the delivery item (`firstAttempts.g<gen:3>`): dispatch
 * records attempt 1 and the delivery's new state in one conditional update instead of a put and an
 * update (the item shapes: delivery-items.ts; reading the history back: delivery-history.ts).
 *
 * The first dispatch of a new event claims its deliveries in the event record it writes anyway
 * (adrs/0014): such a delivery is `unstored`, and its first state change creates the item whole — one
 * write for a first delivery. Every other claim (duplicates, redeliveries) is a `pending` item as above.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import type { AttemptOutcome, AttemptRecord, DeliveryRecord, DeliveryState } from '../model.js';
import { attemptKey, deliveryKey, expiresAt, foldedKey, toDelivery } from './delivery-items.js';
import { isConditionFailure } from './table.js';

/**
 * `new`: this call created it; `pending`: an earlier claimer's lease expired with no attempt recorded
 * (a crash) and this call took it over — proceed either way. `in_flight`: another claimer's lease is
 * still running — do not deliver, try again later. `duplicate`: past `pending`.
 */
type ClaimResult =
  | { readonly status: 'new' | 'pending'; readonly delivery: DeliveryRecord }
  | { readonly status: 'in_flight' | 'duplicate'; readonly delivery: DeliveryRecord };

interface DeliveryUpdate {
  /** `SET` clauses, e.g. `updatedAt = :now` (`#state` stands for `state`, a reserved word). */
  readonly set: readonly string[];
  readonly remove?: readonly string[];
  /** ANDed to `attribute_exists(pk)`: an update never creates a delivery. */
  readonly condition: string;
  readonly values: Record<string, unknown>;
  /** Placeholders beyond `#state`, e.g. a map key. */
  readonly names?: Record<string, string>;
  /** `SET` clauses to use instead of `set` when the update creates the item (a nested path cannot be). */
  readonly createSet?: readonly string[];
  /** Values only `createSet` uses. */
  readonly createValues?: Record<string, unknown>;
}

function expressionNames(expression: string, extra: Record<string, string> = {}) {
  const names = { ...(expression.includes('#state') ? { '#state': 'state' } : {}), ...extra };
  return Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {};
}

/**
 * Only the placeholders `expression` uses: DynamoDB rejects a value or name an expression does not use,
 * and a created item leaves out the update's condition (and with it the condition's values).
 */
function usedIn<T>(placeholders: Record<string, T>, expression: string): Record<string, T> {
  const used = new Set(expression.match(/[:#][A-Za-z0-9_]+/g));
  return Object.fromEntries(Object.entries(placeholders).filter(([key]) => used.has(key)));
}

/**
 * Writes an unstored delivery (adrs/0014) whole with its first state change: the update's own `SET`
 * clauses plus the fields a claim would have written, only if no item exists. Answers the record, or
 * undefined when one exists (a duplicate took the delivery over, or a redelivery claimed it).
 */
async function createDelivery(
  unstored: DeliveryRecord,
  update: DeliveryUpdate,
): Promise<DeliveryRecord | undefined> {
  const sets = [...(update.createSet ?? update.set)];
  const assigned = new Set(sets.map((clause) => clause.split('=')[0]!.trim()));
  const values: Record<string, unknown> = { ...update.values, ...update.createValues };
  const fields: Record<string, unknown> = {
    '#state': unstored.state,
    eventId: unstored.eventId,
    endpointId: unstored.endpointId,
    tenantId: unstored.tenantId,
    generation: unstored.generation,
    attempts: unstored.attempts,
    createdAt: unstored.createdAt,
    updatedAt: unstored.updatedAt,
    // Where later first attempts fold (a deferred delivery's attempt 1 runs on its retries).
    firstAttempts: {},
    expiresAt: expiresAt(unstored.createdAt),
  };
  for (const [field, value] of Object.entries(fields)) {
    if (assigned.has(field)) continue;
    const placeholder = `:new_${field.replace('#', '')}`;
    sets.push(`${field} = ${placeholder}`);
    values[placeholder] = value;
  }
  const expression = `SET ${sets.join(', ')}`;
  const condition = 'attribute_not_exists(pk)';
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: deliveryKey(unstored.eventId, unstored.endpointId),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ...expressionNames(expression, usedIn(update.names ?? {}, expression)),
        ExpressionAttributeValues: usedIn(values, expression),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes === undefined ? undefined : toDelivery(result.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/**
 * The one conditional update of a delivery every state change goes through. Answers the updated
 * record, or undefined when the condition failed (someone else moved the delivery first). With
 * `unstored`, the change first tries to create the item (createDelivery); when one exists already, it
 * applies to that one under its condition, like any other.
 */
async function updateDelivery(
  eventId: string,
  endpointId: string,
  update: DeliveryUpdate,
  unstored?: DeliveryRecord,
): Promise<DeliveryRecord | undefined> {
  if (unstored !== undefined) {
    const created = await createDelivery(unstored, update);
    if (created !== undefined) return created;
  }
  const remove = update.remove ?? [];
  const expression = `SET ${update.set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`;
  const condition = `attribute_exists(pk) AND ${update.condition}`;
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: deliveryKey(eventId, endpointId),
        UpdateExpression: expression,
        ConditionExpression: condition,
        // DynamoDB rejects a name the expressions do not use.
        ...expressionNames(`${expression} ${condition}`, update.names),
        ExpressionAttributeValues: update.values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes === undefined ? undefined : toDelivery(result.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

async function getDelivery(eventId: string, endpointId: string): Promise<DeliveryRecord | undefined> {
  const result = await documentClient().send(
    new GetCommand({
      TableName: config.table(),
      Key: deliveryKey(eventId, endpointId),
      ConsistentRead: true,
    }),
  );
  return result.Item === undefined ? undefined : toDelivery(result.Item);
}

/**
 * Claims event → endpoint for dispatch: creates the delivery in `pending`, generation 0, leased until
 * `claimedUntil`. An existing `pending` delivery is either still leased (`in_flight`: its claimer is
 * mid-attempt) or its lease expired because that claimer crashed before recording an attempt — then it
 * is taken over (at-least-once). Any other state is a duplicate.
 */
async function claimDelivery(input: {
  eventId: string;
  endpointId: string;
  tenantId: string;
  now: string;
  claimedUntil: string;
  /**
   * The event record's own claim on this delivery (adrs/0014) lasts until then: while it does and no
   * item exists, the run that recorded the event is mid-attempt (`in_flight`), and nothing is written.
   */
  recordClaimedUntil?: string;
}): Promise<ClaimResult> {
  const delivery: DeliveryRecord = { ...newDelivery(input), claimedUntil: input.claimedUntil };
  if (
    input.recordClaimedUntil !== undefined &&
    Date.parse(input.recordClaimedUntil) > Date.parse(input.now)
  ) {
    const existing = await getDelivery(input.eventId, input.endpointId);
    if (existing === undefined) {
      return { status: 'in_flight', delivery: { ...delivery, claimedUntil: input.recordClaimedUntil } };
    }
    return claimExisting(existing, input.now, input.claimedUntil);
  }
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: {
          // No list-index keys: nothing lists deliveries by endpoint, and each would cost the claim a
          // second write unit (issue 21). An event's deliveries are read under its own partition.
          ...deliveryKey(input.eventId, input.endpointId),
          ...delivery,
          // Where dispatch folds each generation's first attempt (recordAttempt).
          firstAttempts: {},
          expiresAt: expiresAt(input.now),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { status: 'new', delivery };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await getDelivery(input.eventId, input.endpointId);
  if (existing === undefined) {
    // Deleted between the two calls (TTL); the caller's SQS retry claims it afresh.
    throw new Error(`Delivery ${input.eventId}/${input.endpointId} vanished during claim`);
  }
  return claimExisting(existing, input.now, input.claimedUntil);
}

type NewDeliveryInput = { eventId: string; endpointId: string; tenantId: string; now: string };

/** A delivery as dispatch first claims it: `pending`, generation 0, no attempt yet. */
function newDelivery(input: NewDeliveryInput): DeliveryRecord {
  return {
    eventId: input.eventId,
    endpointId: input.endpointId,
    tenantId: input.tenantId,
    state: 'pending',
    generation: 0,
    attempts: 0,
    createdAt: input.now,
    updatedAt: input.now,
  };
}

/** A first delivery not in the table yet (adrs/0014): its first state change writes it whole. */
function unstoredDelivery(input: NewDeliveryInput): DeliveryRecord {
  return { ...newDelivery(input), unstored: true };
}

/** What a state change passes as `unstored`: the delivery itself when it is not in the table yet. */
function unstoredOf(delivery: DeliveryRecord): DeliveryRecord | undefined {
  return delivery.unstored ? delivery : undefined;
}

/** Claiming a delivery that exists: in flight under its lease, taken over past it, or a duplicate. */
async function claimExisting(
  existing: DeliveryRecord,
  now: string,
  claimedUntil: string,
): Promise<ClaimResult> {
  if (existing.state !== 'pending') return { status: 'duplicate', delivery: existing };
  // No lease at all: written before leases existed; treat it as expired.
  const leased = existing.claimedUntil !== undefined && Date.parse(existing.claimedUntil) > Date.parse(now);
  if (leased) return { status: 'in_flight', delivery: existing };
  const taken = await takeOverClaim(existing, now, claimedUntil);
  // Lost the race to another taker (or the delivery moved on): that one delivers.
  return taken === undefined
    ? { status: 'in_flight', delivery: existing }
    : { status: 'pending', delivery: taken };
}

/**
 * Renews an expired lease. Conditioned on the lease it saw, so of two concurrent takers only one wins;
 * answers undefined for the loser.
 */
async function takeOverClaim(
  existing: DeliveryRecord,
  now: string,
  claimedUntil: string,
): Promise<DeliveryRecord | undefined> {
  const sameLease =
    existing.claimedUntil === undefined ? 'attribute_not_exists(claimedUntil)' : 'claimedUntil = :old';
  return updateDelivery(existing.eventId, existing.endpointId, {
    set: ['claimedUntil = :until', 'updatedAt = :now'],
    condition: `#state = :pending AND generation = :gen AND ${sameLease}`,
    values: {
      ':until': claimedUntil,
      ':now': now,
      ':pending': 'pending',
      ':gen': existing.generation,
      ...(existing.claimedUntil === undefined ? {} : { ':old': existing.claimedUntil }),
    },
  });
}

/**
 * Starts a new generation (replay / redrive): `pending`, attempts 0, leased until `claimedUntil` (so a
 * duplicate dispatch meanwhile waits rather than sending too), only if the generation is still
 * `expectedGeneration`. Answers the new record, or undefined when someone else bumped it first.
 */
async function bumpGeneration(
  eventId: string,
  endpointId: string,
  expectedGeneration: number,
  now: string,
  claimedUntil: string,
): Promise<DeliveryRecord | undefined> {
  return updateDelivery(eventId, endpointId, {
    set: [
      'generation = :next',
      '#state = :pending',
      'attempts = :zero',
      'updatedAt = :now',
      'expiresAt = :exp',
      'claimedUntil = :until',
    ],
    remove: ['nextAttemptAt', 'lastError', 'lastStatusCode', 'deliveredAt', 'deadLetteredAt', 'parkedAt'],
    condition: 'generation = :expected',
    values: {
      ':next': expectedGeneration + 1,
      ':expected': expectedGeneration,
      ':pending': 'pending',
      ':zero': 0,
      ':now': now,
      ':exp': expiresAt(now),
      ':until': claimedUntil,
    },
  });
}

/** The attempt item as written, plus what it sets on its delivery. */
interface AttemptInput extends AttemptRecord {
  /** Short, secret-free description for the delivery's `lastError`. */
  readonly lastError?: string;
  /** The delivery is not in the table yet (adrs/0014): attempt 1 writes it whole. */
  readonly unstored?: DeliveryRecord;
  /** The delivery stays in its endpoint's backlog (a failed probe); otherwise it leaves it. */
  readonly staysParked?: boolean;
}

const STATE_OF: Record<AttemptOutcome, DeliveryState> = {
  delivered: 'delivered',
  retrying: 'retrying',
  failed: 'failed',
};

/**
 * Records an attempt and moves the delivery to the attempt's state, only while it is still on
 * `generation`. The attempt is kept once: a re-run of the same attempt keeps the first record. Attempt
 * 1 is folded into the delivery item, so the first attempt costs one write; later attempts write their
 * own item, then update the delivery. Answers false when the delivery has moved to a newer generation
 * (the caller's work is superseded).
 */
async function recordAttempt(input: AttemptInput): Promise<boolean> {
  const { lastError, staysParked: _parked, unstored, ...attempt } = input;
  const stored = { ...attempt, expiresAt: expiresAt(input.at) };
  if (input.attempt === 1) {
    try {
      const update = attemptUpdate(input, stored);
      return (await updateDelivery(input.eventId, input.endpointId, update, unstored)) !== undefined;
    } catch (error) {
      // A delivery claimed before first attempts were folded has no `firstAttempts` map to write into.
      if (!(error instanceof Error && error.name === 'ValidationException')) throw error;
    }
  }
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: { ...attemptKey(input.eventId, input.endpointId, input.generation, input.attempt), ...stored },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return (await updateDelivery(input.eventId, input.endpointId, attemptUpdate(input))) !== undefined;
}

/** The delivery update an attempt makes; with `folded`, it also stores the attempt on the delivery. */
function attemptUpdate(input: AttemptInput, folded?: Record<string, unknown>): DeliveryUpdate {
  const sets = ['#state = :state', 'attempts = :attempt', 'updatedAt = :at'];
  // The lease only means something while `pending`, which an attempt always leaves.
  const removes: string[] = ['claimedUntil', ...(input.staysParked === true ? [] : ['parkedAt'])];
  const values: Record<string, unknown> = {
    ':state': STATE_OF[input.outcome],
    ':attempt': input.attempt,
    ':at': input.at,
    ':gen': input.generation,
  };
  const setOrRemove = (field: string, value: string | number | undefined) => {
    if (value === undefined) removes.push(field);
    else {
      sets.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
  };
  setOrRemove('lastStatusCode', input.statusCode);
  setOrRemove('lastError', input.lastError);
  setOrRemove('nextAttemptAt', input.nextAttemptAt);
  if (input.outcome === 'delivered') setOrRemove('deliveredAt', input.at);
  // A `failed` generation is closed: only a re-run of the attempt that failed it may write again.
  // This keeps an attempt still running when its workflow timed out (closed by the retry watch) from
  // reopening the delivery as `retrying` with nothing left to retry it.
  values[':failed'] = 'failed';
  const condition = 'generation = :gen AND (#state <> :failed OR attempts = :attempt)';
  if (folded === undefined) return { set: sets, remove: removes, condition, values };
  const createSet = [...sets, 'firstAttempts = :newFolded'];
  sets.push('firstAttempts.#gen = if_not_exists(firstAttempts.#gen, :folded)');
  values[':folded'] = folded;
  return {
    set: sets,
    createSet,
    createValues: { ':newFolded': { [foldedKey(input.generation)]: folded } },
    remove: removes,
    condition,
    values,
    names: { '#gen': foldedKey(input.generation) },
  };
}

/** Sets a terminal state without an attempt (disabled endpoint → `skipped`, or `failed`). */
async function markState(
  eventId: string,
  endpointId: string,
  generation: number,
  state: 'skipped' | 'failed',
  now: string,
  lastError?: string,
  unstored?: DeliveryRecord,
): Promise<boolean> {
  const update = {
    set: ['#state = :state', 'updatedAt = :now', ...(lastError ? ['lastError = :err'] : [])],
    remove: ['nextAttemptAt', 'claimedUntil', 'parkedAt'],
    condition: 'generation = :gen',
    values: {
      ':state': state,
      ':now': now,
      ':gen': generation,
      ...(lastError ? { ':err': lastError } : {}),
    },
  };
  return (await updateDelivery(eventId, endpointId, update, unstored)) !== undefined;
}

/** `unstored`: the delivery is not in the table yet (adrs/0014); this writes it whole. */
function markSkipped(
  eventId: string,
  endpointId: string,
  generation: number,
  now: string,
  unstored?: DeliveryRecord,
): Promise<boolean> {
  return markState(eventId, endpointId, generation, 'skipped', now, 'endpoint_disabled', unstored);
}

function markFailed(
  eventId: string,
  endpointId: string,
  generation: number,
  now: string,
  lastError: string,
): Promise<boolean> {
  return markState(eventId, endpointId, generation, 'failed', now, lastError);
}

/**
 * Hands a claimed delivery to the retry workflow without an inline attempt (its endpoint is in
 * trouble, held or over its rate limit; adrs/0007): `retrying` from `pending`, lease dropped, so a
 * duplicate dispatch resumes the workflow instead of POSTing. Answers false if it moved meanwhile.
 * `unstored` (adrs/0014): the delivery is not in the table yet; this writes it whole.
 */
async function markDeferred(
  eventId: string,
  endpointId: string,
  generation: number,
  nextAttemptAt: string,
  now: string,
  unstored?: DeliveryRecord,
): Promise<boolean> {
  const update = {
    set: ['#state = :retrying', 'nextAttemptAt = :next', 'updatedAt = :now'],
    remove: ['claimedUntil'],
    condition: '#state = :pending AND generation = :gen',
    values: {
      ':retrying': 'retrying',
      ':pending': 'pending',
      ':next': nextAttemptAt,
      ':now': now,
      ':gen': generation,
    },
  };
  return (await updateDelivery(eventId, endpointId, update, unstored)) !== undefined;
}

/**
 * Parks a claimed delivery in its endpoint's backlog (adrs/0011): `retrying` from `pending`, with
 * `parkedAt` and no `nextAttemptAt` (the endpoint's recovery decides when). Answers false if it moved
 * meanwhile. `unstored` (adrs/0014): the delivery is not in the table yet; this writes it whole.
 */
async function markParked(
  eventId: string,
  endpointId: string,
  generation: number,
  parkedAt: string,
  unstored?: DeliveryRecord,
): Promise<boolean> {
  const update = {
    set: ['#state = :retrying', 'parkedAt = :at', 'updatedAt = :at'],
    remove: ['claimedUntil', 'nextAttemptAt'],
    condition: '#state = :pending AND generation = :gen',
    values: { ':retrying': 'retrying', ':pending': 'pending', ':at': parkedAt, ':gen': generation },
  };
  return (await updateDelivery(eventId, endpointId, update, unstored)) !== undefined;
}

/**
 * Ends a parked delivery without an attempt — `failed` (its lifetime passed, its endpoint was
 * deleted) or `skipped` (its endpoint was disabled) — only while it is still parked on `generation`.
 */
async function closeParked(
  eventId: string,
  endpointId: string,
  generation: number,
  state: 'failed' | 'skipped',
  now: string,
  lastError: string,
): Promise<boolean> {
  const updated = await updateDelivery(eventId, endpointId, {
    set: ['#state = :state', 'updatedAt = :now', 'lastError = :err'],
    remove: ['nextAttemptAt', 'claimedUntil', 'parkedAt'],
    condition: 'generation = :gen AND #state = :retrying AND attribute_exists(parkedAt)',
    values: { ':state': state, ':now': now, ':err': lastError, ':gen': generation, ':retrying': 'retrying' },
  });
  return updated !== undefined;
}

/**
 * Fails a delivery whose workflow ended without finishing it (the retry watch): only while it is
 * still open (`pending`/`retrying`) on `generation`. Answers the closed record, or undefined when it
 * had moved on (delivered meanwhile, replayed, already failed).
 */
async function closeOpenDelivery(
  eventId: string,
  endpointId: string,
  generation: number,
  now: string,
  lastError: string,
): Promise<DeliveryRecord | undefined> {
  return updateDelivery(eventId, endpointId, {
    set: ['#state = :failed', 'updatedAt = :now', 'lastError = :err'],
    remove: ['nextAttemptAt', 'claimedUntil'],
    condition: 'generation = :gen AND #state IN (:pending, :retrying)',
    values: {
      ':failed': 'failed',
      ':now': now,
      ':err': lastError,
      ':gen': generation,
      ':pending': 'pending',
      ':retrying': 'retrying',
    },
  });
}

/** Notes that the generation's failure reached the webhook DLQ, so a duplicate message does not resend it. */
async function markDeadLettered(
  eventId: string,
  endpointId: string,
  generation: number,
  now: string,
): Promise<void> {
  // A newer generation has its own failure to report; this one's mark no longer matters.
  await updateDelivery(eventId, endpointId, {
    set: ['deadLetteredAt = :now'],
    condition: 'generation = :gen',
    values: { ':now': now, ':gen': generation },
  });
}

export type { AttemptInput, ClaimResult };
export {
  bumpGeneration,
  claimDelivery,
  closeOpenDelivery,
  closeParked,
  getDelivery,
  markDeadLettered,
  markDeferred,
  markFailed,
  markParked,
  markSkipped,
  recordAttempt,
  unstoredDelivery,
  unstoredOf,
};
