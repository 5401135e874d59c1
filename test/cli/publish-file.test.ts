/** `herald events publish --file events.ndjson` against a fake API playing POST /v1/events/batch. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

interface Sent {
  readonly type: string;
  readonly tenantId: string;
  readonly data: Record<string, unknown>;
  readonly idempotencyKey?: string;
}

const accepted = (e: Sent, i: number) => ({
  status: 202,
  id: `evt_${String(i).padStart(26, '0')}`,
  type: e.type,
  tenantId: e.tenantId,
  createdAt: '2026-12-07T00:00:00.000Z',
});

function ndjson(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-publish-'));
  writeFileSync(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
  return dir;
}

const event = (n: number) =>
  JSON.stringify({ type: 'order.placed', tenantId: 't_1', data: { n }, idempotencyKey: `k-${n}` });

describe('herald events publish --file', () => {
  let api: FakeApi;
  const cli = (cwd: string, tty = false, ...argv: string[]) =>
    herald(['events', 'publish', '--file', 'events.ndjson', ...argv, '--url', api.url, '--key', 'test-key'], {
      cwd,
      tty,
    });

  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(async () => {
    await api.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('sends the file 100 events a request, in order, and says how many were accepted', async () => {
    api.on('POST', '/v1/events/batch', (request) => ({
      status: 207,
      body: { items: (request.body as { events: Sent[] }).events.map(accepted) },
    }));
    const lines = Array.from({ length: 250 }, (_, i) => event(i));
    const result = await cli(ndjson(['', ...lines.slice(0, 10), '  ', ...lines.slice(10)]));
    expect(result.code).toBe(0);
    const sizes = api.requests.map((r) => (r.body as { events: Sent[] }).events.length);
    expect(sizes).toEqual([100, 100, 50]);
    const sent = api.requests.flatMap((r) => (r.body as { events: Sent[] }).events);
    expect(sent.map((e) => e.data.n)).toEqual(lines.map((_, i) => i));
    expect(sent[7]).toEqual({ type: 'order.placed', tenantId: 't_1', data: { n: 7 }, idempotencyKey: 'k-7' });
    expect(result.stdout).toBe('250 events accepted\n');
  });

  it('draws a progress line on a terminal, and nothing on a pipe', async () => {
    api.on('POST', '/v1/events/batch', (request) => ({
      status: 207,
      body: { items: (request.body as { events: Sent[] }).events.map(accepted) },
    }));
    const dir = ndjson(Array.from({ length: 150 }, (_, i) => event(i)));
    const tty = await cli(dir, true);
    expect(tty.stderr).toContain('publish events.ndjson');
    expect(tty.stderr).toMatch(/150\/150 150 accepted/);
    expect((await cli(dir, false)).stderr).toBe('');
  });

  it('sends 503 and 409 items again, lists the items that still failed, and exits 1', async () => {
    let call = 0;
    api.on('POST', '/v1/events/batch', (request) => {
      call++;
      const events = (request.body as { events: Sent[] }).events;
      return {
        status: 207,
        body: {
          items: events.map((e, i) => {
            if (e.data.n === 1 && call === 1)
              return { status: 503, problem: { code: 'unavailable', detail: 'retry' } };
            if (e.data.n === 2)
              return { status: 400, problem: { code: 'invalid_request', detail: 'bad type' } };
            return accepted(e, i);
          }),
        },
      };
    });
    const result = await cli(ndjson([event(0), event(1), event(2)]));
    expect(result.code).toBe(1);
    // The second request carries the 503 item only.
    expect(api.requests.map((r) => (r.body as { events: Sent[] }).events.map((e) => e.data.n))).toEqual([
      [0, 1, 2],
      [1],
    ]);
    expect(result.stdout).toMatch(/^2 events accepted, 1 failed:/);
    expect(result.stdout).toMatch(/3\s+400\s+invalid_request\s+bad type/);
    expect(result.stderr).toMatch(/partially_accepted.*1 of 3 events were not accepted/);
  });

  it("--json prints every line's outcome", async () => {
    api.on('POST', '/v1/events/batch', (request) => ({
      status: 207,
      body: { items: (request.body as { events: Sent[] }).events.map(accepted) },
    }));
    const result = await cli(ndjson([event(0), event(1)]), false, '--json');
    const out = JSON.parse(result.stdout) as { accepted: number; items: { line: number; id: string }[] };
    expect(out.accepted).toBe(2);
    expect(out.items.map((i) => i.line)).toEqual([1, 2]);
  });

  it('refuses a bad line before sending anything (exit 2), naming the line', async () => {
    const result = await cli(ndjson([event(0), '{"type":', event(2)]));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/events\.ndjson:2 is not valid JSON/);
    expect(api.requests).toHaveLength(0);
    const mixed = await herald(
      ['events', 'publish', '--file', 'events.ndjson', '--type', 'a.b', '--url', api.url, '--key', 'k'],
      { cwd: ndjson([event(0)]) },
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/drop --type/);
  });

  it('stops at a request the API refuses as a whole, saying how far it got', async () => {
    api.on('POST', '/v1/events/batch', {
      status: 401,
      body: {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        code: 'unauthorized',
        detail: 'A valid API key is required',
      },
    });
    const result = await cli(ndjson([event(0)]));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/unauthorized.*lines 1–1; 0 events accepted before/);
  });
});
