/**
 * Tampered pagination cursors (issue 10, item 6): every list answers 400 `invalid_request` for a cursor
 * it did not hand out, and logs no error — the cursor is client input, not a platform failure.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { logger } from '../../../lambdas/shared/observability.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import {
  apiEvent,
  fakeContext,
  type Harness,
  json,
  MAIN_TABLE,
  startHarness,
} from '../../support/harness.js';
import { recordMessages, takePublished } from './pipeline.js';

let h: Harness;
let admin: string;
let eventId: string;

const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors a client could forge: wrong attribute names, other partitions, oversized or odd values. */
const TAMPERED: ReadonlyArray<readonly [string, string]> = [
  ['unknown attribute names', cursorOf({ a: 'b' })],
  ['an empty object', cursorOf({})],
  ['table keys only, for a gsi1 list', cursorOf({ pk: 'EVT#evt_1', sk: 'EVT' })],
  [
    "another partition's keys",
    cursorOf({ pk: 'EVT#evt_1', sk: 'EVT', gsi1pk: 'TENANT#t_other#EVT', gsi1sk: '2020#evt_1' }),
  ],
  [
    'a 4 KiB key value',
    cursorOf({ pk: 'x'.repeat(4096), sk: 'EVT', gsi1pk: 'TENANT#t_1#EVT', gsi1sk: 'y'.repeat(4096) }),
  ],
  ['an empty key value', cursorOf({ pk: '', sk: '', gsi1pk: '', gsi1sk: '' })],
  ['extra attributes', cursorOf({ pk: 'a', sk: 'b', gsi1pk: 'TENANT#t_1#EVT', gsi1sk: 'c', data: 'd' })],
  ['not base64 JSON', 'garbage!'],
];

const LISTS: ReadonlyArray<readonly [string, () => { path: string; query: Record<string, string> }]> = [
  ['GET /v1/events', () => ({ path: '/v1/events', query: { tenantId: 't_1' } })],
  ['GET /v1/endpoints', () => ({ path: '/v1/endpoints', query: { tenantId: 't_1' } })],
  ['GET /v1/keys', () => ({ path: '/v1/keys', query: {} })],
  ['GET /v1/events/{id}/deliveries', () => ({ path: `/v1/events/${eventId}/deliveries`, query: {} })],
];

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
  const published = await ingest(
    await apiEvent('POST', '/v1/events', {
      key: admin,
      body: { type: 'order.noted', tenantId: 't_1', data: {} },
    }),
    fakeContext(),
  );
  expect(published.statusCode).toBe(202);
  eventId = json(published).id as string;
  await recordMessages(await takePublished(h, 't_1'));
});

afterAll(async () => {
  await h?.stop();
});

describe('tampered cursors', () => {
  for (const [list, target] of LISTS) {
    describe(list, () => {
      it.each(TAMPERED)('%s → 400 invalid_request, no error logged', async (_name, cursor) => {
        const errors = vi.spyOn(logger, 'error');
        try {
          const { path, query } = target();
          const response = await management(
            await apiEvent('GET', path, { key: admin, query: { ...query, cursor } }),
          );
          expect({ status: response.statusCode, code: json(response).code }).toEqual({
            status: 400,
            code: 'invalid_request',
          });
          expect(json(response).field).toBe('cursor');
          expect(errors).not.toHaveBeenCalled();
        } finally {
          errors.mockRestore();
        }
      });
    });
  }

  it('a cursor the API returned still pages', async () => {
    for (let i = 0; i < 2; i++) {
      await ingest(
        await apiEvent('POST', '/v1/events', {
          key: admin,
          body: { type: 'order.noted', tenantId: 't_page', data: { i } },
        }),
        fakeContext(),
      );
    }
    await recordMessages(await takePublished(h, 't_page'));
    const first = json(
      await management(
        await apiEvent('GET', '/v1/events', { key: admin, query: { tenantId: 't_page', limit: '1' } }),
      ),
    );
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await management(
      await apiEvent('GET', '/v1/events', {
        key: admin,
        query: { tenantId: 't_page', limit: '1', cursor: String(first.nextCursor) },
      }),
    );
    expect(second.statusCode).toBe(200);
    expect(json(second).items).toHaveLength(1);
  });
});
