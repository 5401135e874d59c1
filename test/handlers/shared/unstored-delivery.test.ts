/**
 * A first delivery claimed in its event record (adrs/0014) is not in the table until its first state
 * change, which writes it whole on dynalite: the same item a claim and an update would have left, in
 * one write. When an item exists already (a duplicate took the delivery over), the change applies to
 * it under its usual condition instead.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { config } from '../../../lambdas/shared/config.js';
import { newId } from '../../../lambdas/shared/ids.js';
import {
  getDelivery,
  markDeferred,
  markParked,
  markSkipped,
  recordAttempt,
  unstoredDelivery,
} from '../../../lambdas/shared/store/deliveries.js';
import { getAttempts } from '../../../lambdas/shared/store/delivery-history.js';
import { type Harness, startHarness } from '../../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const at = '2026-12-07T10:00:00.000Z';

function fresh(tenantId = 't_unstored') {
  return unstoredDelivery({ eventId: newId('evt'), endpointId: newId('ep'), tenantId, now: at });
}

async function rawItem(eventId: string, endpointId: string) {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: { pk: `EVT#${eventId}`, sk: `DLV#${endpointId}` } }),
  );
  return result.Item;
}

describe('an unstored delivery (claimed in its event record)', () => {
  it('is written whole by attempt 1: delivery fields, the folded attempt, a TTL, and no lease', async () => {
    const d = fresh();
    const recorded = await recordAttempt({
      unstored: d,
      eventId: d.eventId,
      endpointId: d.endpointId,
      generation: 0,
      attempt: 1,
      at,
      durationMs: 12,
      statusCode: 204,
      outcome: 'delivered',
    });
    expect(recorded).toBe(true);
    expect(await getDelivery(d.eventId, d.endpointId)).toEqual({
      eventId: d.eventId,
      endpointId: d.endpointId,
      tenantId: 't_unstored',
      state: 'delivered',
      generation: 0,
      attempts: 1,
      lastStatusCode: 204,
      deliveredAt: at,
      createdAt: at,
      updatedAt: at,
    });
    const item = await rawItem(d.eventId, d.endpointId);
    expect(item?.unstored).toBeUndefined();
    expect(typeof item?.expiresAt).toBe('number');
    expect(await getAttempts(d.eventId)).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 204, outcome: 'delivered', generation: 0 }),
    ]);
  });

  it('is written whole when parked, deferred or skipped, ready for its attempt 1 to fold in later', async () => {
    const parked = fresh();
    expect(await markParked(parked.eventId, parked.endpointId, 0, at, parked)).toBe(true);
    expect(await getDelivery(parked.eventId, parked.endpointId)).toMatchObject({
      state: 'retrying',
      parkedAt: at,
      generation: 0,
      attempts: 0,
      tenantId: 't_unstored',
    });

    const deferred = fresh();
    const next = '2026-12-07T10:00:05.000Z';
    expect(await markDeferred(deferred.eventId, deferred.endpointId, 0, next, at, deferred)).toBe(true);
    expect(await getDelivery(deferred.eventId, deferred.endpointId)).toMatchObject({
      state: 'retrying',
      nextAttemptAt: next,
      attempts: 0,
    });
    // Its attempt 1, made later by its retries, folds into the item the deferral wrote.
    expect(
      await recordAttempt({
        eventId: deferred.eventId,
        endpointId: deferred.endpointId,
        generation: 0,
        attempt: 1,
        at: next,
        durationMs: 5,
        statusCode: 200,
        outcome: 'delivered',
      }),
    ).toBe(true);
    expect(await getAttempts(deferred.eventId)).toHaveLength(1);
    expect((await rawItem(deferred.eventId, deferred.endpointId))?.firstAttempts).toHaveProperty('g000');

    const skipped = fresh();
    expect(await markSkipped(skipped.eventId, skipped.endpointId, 0, at, skipped)).toBe(true);
    expect(await getDelivery(skipped.eventId, skipped.endpointId)).toMatchObject({
      state: 'skipped',
      lastError: 'endpoint_disabled',
    });
  });

  it('meets an item written meanwhile (a duplicate took it over): the change applies to that item under its condition', async () => {
    const d = fresh();
    // A duplicate's claim, after the record's claim ran out.
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: {
          pk: `EVT#${d.eventId}`,
          sk: `DLV#${d.endpointId}`,
          eventId: d.eventId,
          endpointId: d.endpointId,
          tenantId: d.tenantId,
          state: 'pending',
          generation: 0,
          attempts: 0,
          claimedUntil: '2026-12-07T10:01:00.000Z',
          firstAttempts: {},
          createdAt: at,
          updatedAt: at,
        },
      }),
    );
    expect(await markParked(d.eventId, d.endpointId, 0, at, d)).toBe(true);
    const parked = await getDelivery(d.eventId, d.endpointId);
    expect(parked).toMatchObject({ state: 'retrying', parkedAt: at });
    expect(parked?.claimedUntil).toBeUndefined();

    // ...and a change whose condition that item fails is refused, as for any delivery.
    const delivered = fresh();
    await recordAttempt({
      unstored: delivered,
      eventId: delivered.eventId,
      endpointId: delivered.endpointId,
      generation: 0,
      attempt: 1,
      at,
      durationMs: 1,
      statusCode: 204,
      outcome: 'delivered',
    });
    expect(await markParked(delivered.eventId, delivered.endpointId, 0, at, delivered)).toBe(false);
    expect(await getDelivery(delivered.eventId, delivered.endpointId)).toMatchObject({ state: 'delivered' });
  });
});
