/**
 * Drill 8 — hostile and careless input (issue 10): valid JSON with numbers past double precision,
 * bodies at the published-size edge, tenant ids that would collide in composite keys, reserved types
 * and forged cursors. Each case records what it sent and what came back, so docs/reliability.md shows
 * the figures; none may answer 500.
 */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../support/api.js';
import { createEndpoint, tenantEvents, uniqueTenant } from '../support/fixtures.js';
import { record, recordHostile } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { waitUntil } from '../support/wait.js';

const ctx = useHerald();
const DRILL = '8 hostile input';
const JSON_HEADERS = { 'content-type': 'application/json' };

function tally(statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} × ${s}`).join(', ');
}

describe.skipIf(receiverUnreachable(DRILL))(DRILL, () => {
  it('numbers past double precision are accepted and delivered digit for digit', async () => {
    const tenantId = uniqueTenant('drill-numbers');
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('drill-numbers'), eventTypes: ['*'] });
    const numbers = [
      '1234567890123456789',
      '-9007199254740993',
      '1.5e20',
      '1e300',
      '1e-200',
      '0.1000000000000000055511',
    ];
    const data = `{${numbers.map((n, i) => `"n${i}":${n}`).join(',')}}`;
    const response = await ctx.api.request('POST', '/v1/events', {
      raw: `{"type":"ledger.entry","tenantId":"${tenantId}","data":${data}}`,
      headers: JSON_HEADERS,
    });
    const [webhook] = await waitUntil(
      () => ctx.receiver.received('drill-numbers'),
      (r) => r.length >= 1,
      { timeoutMs: 60_000, description: 'the big-number webhook' },
    );
    const intact = numbers.filter((n, i) => webhook?.body.includes(`"n${i}":${n}`)).length;
    const counts = { status: response.status, numbers: numbers.length, deliveredAsWritten: intact };
    record({
      drill: DRILL,
      case: 'numbers past double precision are accepted and delivered digit for digit',
      injected: `one event whose data holds ${numbers.join(', ')}`,
      expected: `202, and the webhook body carries all ${numbers.length} as written`,
      observed: `${response.status}; ${intact} of ${numbers.length} as written`,
      counts,
    });
    expect(counts).toEqual({ status: 202, numbers: numbers.length, deliveredAsWritten: numbers.length });
  });

  it('a body under 256 KiB that would not fit one published message is 413, nothing stored', async () => {
    const tenantId = uniqueTenant('drill-size');
    // Each grows by id, createdAt and attributes (169 bytes + type + tenant id) when published.
    const sizes = [262_144 - 150, 262_144 - 100, 262_144 - 10];
    const statuses: number[] = [];
    const codes: string[] = [];
    for (const size of sizes) {
      const head = `{"type":"blob.put","tenantId":"${tenantId}","data":{"b":"`;
      const response = await ctx.api.request<Problem>('POST', '/v1/events', {
        raw: `${head}${'x'.repeat(size - head.length - 3)}"}}`,
        headers: JSON_HEADERS,
      });
      statuses.push(response.status);
      codes.push(response.body.code ?? '');
    }
    const stored = (await tenantEvents(ctx.api, tenantId)).length;
    sizes.forEach((size, i) => {
      // One tenant for the three: its stored count covers each case.
      recordHostile({
        category: 'bodies',
        case: `drill 8: body of ${size} bytes that would not fit one published message`,
        status: statuses[i],
        code: codes[i] || undefined,
        nothingStored: stored === 0,
      });
    });
    record({
      drill: DRILL,
      case: 'a body under 256 KiB that would not fit one published message is 413, nothing stored',
      injected: `bodies of ${sizes.join(', ')} bytes (the request limit is 262,144)`,
      expected: `${sizes.length} × 413 payload_too_large, 0 stored`,
      observed: `${tally(statuses)}; ${stored} stored`,
      counts: { requests: sizes.length, answered413: statuses.filter((s) => s === 413).length, stored },
    });
    expect({ statuses, codes: [...new Set(codes)], stored }).toEqual({
      statuses: sizes.map(() => 413),
      codes: ['payload_too_large'],
      stored: 0,
    });
  });

  it('tenant ids outside the pattern and reserved types are 400, nothing stored', async () => {
    const tenantIds = ['a#b', 'a#b#c', 'has space', '-x', 't/1', 'tenänt', 'x'.repeat(65)];
    const types = ['herald.endpoint.failing', 'herald.endpoint.disabled', 'herald.delivery.exhausted'];
    const requests = [
      ...tenantIds.map((tenantId) => ({ type: 'order.noted', tenantId, data: {} })),
      ...types.map((type) => ({ type, tenantId: uniqueTenant('drill-reserved'), data: {} })),
    ];
    const statuses: number[] = [];
    for (const body of requests) {
      statuses.push((await ctx.api.request<Problem>('POST', '/v1/events', { json: body })).status);
    }
    record({
      drill: DRILL,
      case: 'tenant ids outside the pattern and reserved types are 400, nothing stored',
      injected: `${tenantIds.length} tenant ids (\`#\`, space, leading -, /, non-ASCII, 65 chars), ${types.length} herald.* types`,
      expected: `${requests.length} × 400 invalid_request`,
      observed: tally(statuses),
      counts: { requests: requests.length, answered400: statuses.filter((s) => s === 400).length },
    });
    expect(statuses).toEqual(requests.map(() => 400));
  });

  it('forged list cursors are 400, never 500', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cursors = [
      encode({ a: 'b' }),
      encode({}),
      encode({ pk: 'EVT#x', sk: 'EVT' }),
      encode({ pk: 'EVT#x', sk: 'EVT', gsi1pk: 'TENANT#someone-else#EVT', gsi1sk: '2020#x' }),
      encode({ pk: 'x'.repeat(2000), sk: 'EVT', gsi1pk: 'TENANT#t#EVT', gsi1sk: 'y' }),
      'not-a-cursor!',
    ];
    const paths = ['/v1/events?tenantId=t_drill', '/v1/endpoints?tenantId=t_drill', '/v1/keys'];
    const statuses: number[] = [];
    for (const path of paths) {
      for (const cursor of cursors) {
        statuses.push(
          (
            await ctx.api.request<Problem>(
              'GET',
              `${path}&cursor=${cursor}`.replace('/v1/keys&', '/v1/keys?'),
            )
          ).status,
        );
      }
    }
    record({
      drill: DRILL,
      case: 'forged list cursors are 400, never 500',
      injected: `${cursors.length} forged cursors × ${paths.length} lists`,
      expected: `${statuses.length} × 400 invalid_request`,
      observed: tally(statuses),
      counts: {
        requests: statuses.length,
        answered400: statuses.filter((s) => s === 400).length,
        answered5xx: statuses.filter((s) => s >= 500).length,
      },
    });
    expect(statuses).toEqual(statuses.map(() => 400));
  });
});
