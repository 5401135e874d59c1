import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, problem, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

const EVENT = {
  id: 'evt_01JTEST',
  type: 'order.placed',
  tenantId: 't_1',
  createdAt: '2025-01-01T00:00:00.000Z',
};

describe('herald CLI commands', () => {
  let api: FakeApi;
  const cli = (...argv: string[]) => herald([...argv, '--url', api.url, '--key', 'test-key']);
  const cliTty = (...argv: string[]) =>
    herald([...argv, '--url', api.url, '--key', 'test-key'], { tty: true });

  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(async () => {
    await api.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  describe('events', () => {
    it('publish sends the body, the key and the Idempotency-Key; prints a table', async () => {
      api.on('POST', '/v1/events', { status: 202, body: EVENT });
      const result = await cli(
        'events',
        'publish',
        '--type',
        'order.placed',
        '--tenant',
        't_1',
        '--data',
        '{"orderId":"o_1"}',
        '--idempotency-key',
        'idem-1',
      );
      expect(result.code).toBe(0);
      const [request] = api.requests;
      expect(request?.body).toEqual({ type: 'order.placed', tenantId: 't_1', data: { orderId: 'o_1' } });
      expect(request?.headers['idempotency-key']).toBe('idem-1');
      expect(request?.headers['content-type']).toBe('application/json');
      expect(request?.headers.authorization).toBe('Bearer test-key');
      expect(result.stdout).toMatch(/^id\s+evt_01JTEST$/m);
      expect(result.stderr).toBe('');
    });

    it('--json prints the API answer as JSON, nothing else', async () => {
      api.on('POST', '/v1/events', { status: 202, body: EVENT });
      const result = await cli('events', 'publish', '--type', 'order.placed', '--tenant', 't_1', '--json');
      expect(JSON.parse(result.stdout)).toEqual(EVENT);
      expect(api.requests[0]?.body).toEqual({ type: 'order.placed', tenantId: 't_1', data: {} });
    });

    it('rejects --data that is not a JSON object before calling the API (exit 2)', async () => {
      const result = await cli('events', 'publish', '--type', 'a.b', '--tenant', 't_1', '--data', '[1]');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--data must be a JSON object');
      expect(api.requests).toHaveLength(0);
    });

    it('get shows the event and a delivery table', async () => {
      api.on('GET', '/v1/events/evt_01JTEST', {
        status: 200,
        body: {
          ...EVENT,
          data: { orderId: 'o_1' },
          deliveries: [{ endpointId: 'ep_1', state: 'retrying', attempts: 2, lastStatusCode: 503 }],
        },
      });
      const result = await cli('events', 'get', 'evt_01JTEST');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/ENDPOINT\s+STATE\s+ATTEMPTS\s+LAST/);
      expect(result.stdout).toMatch(/ep_1\s+retrying\s+2\s+503/);
    });

    it('deliveries passes --limit and --cursor and prints the next cursor', async () => {
      api.on('GET', '/v1/events/evt_01JTEST/deliveries', {
        status: 200,
        body: {
          items: [
            {
              endpointId: 'ep_1',
              generation: 1,
              attempt: 1,
              at: '2025-01-01T00:00:01Z',
              errorClass: 'timeout',
              durationMs: 15000,
              outcome: 'retrying',
              state: 'retrying',
            },
          ],
          nextCursor: 'c2',
        },
      });
      const result = await cli('events', 'deliveries', 'evt_01JTEST', '--limit', '5', '--cursor', 'c1');
      expect(api.requests[0]?.query.get('limit')).toBe('5');
      expect(api.requests[0]?.query.get('cursor')).toBe('c1');
      expect(result.stdout).toMatch(/ep_1\s+1\s+1\s+\S+\s+timeout\s+15000\s+retrying/);
      expect(result.stdout).toContain('More: --cursor c2');
    });
  });

  describe('endpoints', () => {
    it('create sends the URL and split event types, and prints the secret once with a warning', async () => {
      api.on('POST', '/v1/endpoints', (r) => ({
        status: 201,
        body: { id: 'ep_1', enabled: true, secret: 'whsec_abc', ...(r.body as object) },
      }));
      const result = await cli(
        'endpoints',
        'create',
        'https://hooks.example.com/h',
        '--tenant',
        't_1',
        '--types',
        'order.*, invoice.created',
      );
      expect(result.code).toBe(0);
      expect(api.requests[0]?.body).toEqual({
        tenantId: 't_1',
        url: 'https://hooks.example.com/h',
        eventTypes: ['order.*', 'invoice.created'],
      });
      expect(result.stdout).toMatch(/^secret\s+whsec_abc$/m);
      expect(result.stdout).toContain('shown only now');
    });

    it('disable and enable PATCH the endpoint', async () => {
      api.on('PATCH', '/v1/endpoints/ep_1', (r) => ({
        status: 200,
        body: {
          id: 'ep_1',
          tenantId: 't_1',
          url: 'https://x.example',
          eventTypes: ['*'],
          ...(r.body as object),
        },
      }));
      expect((await cli('endpoints', 'disable', 'ep_1')).stdout).toMatch(/^enabled\s+false$/m);
      expect((await cli('endpoints', 'enable', 'ep_1')).stdout).toMatch(/^enabled\s+true$/m);
      expect(api.requests.map((r) => r.body)).toEqual([{ enabled: false }, { enabled: true }]);
    });

    it('list sends tenantId and renders (none) for an empty page', async () => {
      api.on('GET', '/v1/endpoints', { status: 200, body: { items: [] } });
      const result = await cli('endpoints', 'list', '--tenant', 't_9');
      expect(api.requests[0]?.query.get('tenantId')).toBe('t_9');
      expect(result.stdout).toBe('(none)\n');
    });
  });

  describe('exit codes and error messages', () => {
    it('401 → 3, with the problem code and a hint', async () => {
      api.on('GET', '/v1/keys', problem(401, 'unauthorized', 'A valid API key is required'));
      const result = await cli('keys', 'list');
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('error: unauthorized (HTTP 401): A valid API key is required');
      expect(result.stderr).toContain('hint: Check --key / HERALD_API_KEY');
      expect(result.stderr).not.toContain('test-key');
    });

    it('403 → 3', async () => {
      api.on('POST', '/v1/keys', problem(403, 'forbidden', 'Only admin keys may mint keys'));
      expect((await cli('keys', 'create', '--role', 'admin')).code).toBe(3);
    });

    it('404 → 4', async () => {
      api.on('GET', '/v1/events/evt_missing', problem(404, 'not_found', 'Event not found'));
      const result = await cli('events', 'get', 'evt_missing');
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('error: not_found (HTTP 404)');
    });

    it('422 → 1, printing the detail members of the problem document', async () => {
      api.on(
        'POST',
        '/v1/events',
        problem(422, 'idempotency_key_reused', 'Key used with another body', { idempotencyKey: 'k1' }),
      );
      const result = await cli(
        'events',
        'publish',
        '--type',
        'a.b',
        '--tenant',
        't',
        '--idempotency-key',
        'k1',
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('error: idempotency_key_reused (HTTP 422): Key used with another body');
      expect(result.stderr).toContain('detail: {"idempotencyKey":"k1"}');
      expect(result.stderr).toContain('hint: That Idempotency-Key was already used with a different body');
    });

    it('503 → 5', async () => {
      api.on('GET', '/v1/dlq', problem(503, 'unavailable', 'Queue service unavailable'));
      expect((await cli('dlq', 'list')).code).toBe(5);
    });

    it('connection refused → 5 with a hint to start the runtime', async () => {
      const closed = await startFakeApi();
      const url = closed.url;
      await closed.close();
      const result = await herald(['keys', 'list', '--url', url, '--key', 'k']);
      expect(result.code).toBe(5);
      expect(result.stderr).toContain(`error: network: Cannot reach ${url}: ECONNREFUSED`);
      expect(result.stderr).toContain('npm start');
    });

    it('usage errors → 2 and no request: unknown command, unknown flag, missing argument, bad number', async () => {
      for (const argv of [
        ['frobnicate'],
        ['events'],
        ['events', 'get', 'evt_1', '--bogus'],
        ['events', 'get'],
        ['dlq', 'peek', 'd', '--limit', 'many'],
        ['keys', 'create', '--role', 'tenant'],
      ]) {
        const result = await cli(...argv);
        expect(result.code, argv.join(' ')).toBe(2);
        expect(result.stderr, argv.join(' ')).toMatch(/^error: usage: /);
      }
      expect(api.requests).toHaveLength(0);
    });

    it('--help prints usage and exit codes (exit 0); no arguments is a usage error (exit 2)', async () => {
      const help = await herald(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('dlq redrive');
      expect(help.stdout).toContain('5  unavailable');
      expect((await herald([])).code).toBe(2);
      const sub = await herald(['replay', '--help']);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toContain('Usage: herald replay <eventId>');
    });
  });

  describe('dlq', () => {
    it('peek passes the limit and does not redrive', async () => {
      api.on('GET', '/v1/dlq/dispatch-dlq/messages', {
        status: 200,
        body: { items: [{ messageId: 'm1', body: { id: 'evt_1' }, receiveCount: 5 }] },
      });
      const result = await cli('dlq', 'peek', 'dispatch-dlq', '--limit', '3');
      expect(api.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
        'GET /v1/dlq/dispatch-dlq/messages?limit=3',
      ]);
      // sent, reason, error class, error: none known
      expect(result.stdout).toMatch(/m1\s+5\s+-\s+-\s+-\s+-\s+\{"id":"evt_1"\}/);
      expect(result.stdout).toContain('receives includes this peek');
    });

    it('peek shows why a job record was dead-lettered', async () => {
      api.on('GET', '/v1/dlq/job-invoice-dlq/messages', {
        status: 200,
        body: {
          items: [
            {
              messageId: 'm2',
              body: 'not json',
              receiveCount: 2,
              attributes: {
                'herald-error-code': 'invalid_request',
                'herald-error': 'message body is not JSON',
              },
              facts: { reason: 'permanent_error', errorClass: 'InvalidRequestError', job: 'invoice' },
            },
          ],
        },
      });
      const result = await cli('dlq', 'peek', 'job-invoice-dlq');
      expect(result.stdout).toMatch(
        /m2\s+2\s+-\s+permanent_error\s+InvalidRequestError\s+message body is not JSON\s+not json/,
      );
    });

    it('redrive moves in batches up to the depth seen at the start, with progress only on a TTY', async () => {
      let remaining = 250;
      api.on('GET', '/v1/dlq', {
        status: 200,
        body: { items: [{ name: 'job-dlq', sourceQueue: 'job', depth: 250 }] },
      });
      api.on('POST', '/v1/dlq/job-dlq/redrive', (r) => {
        const limit = (r.body as { limit: number }).limit;
        const moved = Math.min(limit, remaining);
        remaining -= moved;
        return { status: 200, body: { moved, failed: 0, sourceQueue: 'job' } };
      });
      const result = await cliTty('dlq', 'redrive', 'job-dlq', '--batch', '100', '--json');
      expect(result.code).toBe(0);
      const limits = api.requests
        .filter((r) => r.method === 'POST')
        .map((r) => (r.body as { limit: number }).limit);
      expect(limits).toEqual([100, 100, 50]);
      expect(JSON.parse(result.stdout)).toEqual({
        queue: 'job-dlq',
        sourceQueue: 'job',
        depthBefore: 250,
        moved: 250,
        failed: 0,
        batches: 3,
      });
      expect(result.stderr).toContain('redrive job-dlq [');
      expect(result.stderr).toContain('100%');

      remaining = 10;
      api.requests.length = 0;
      const piped = await cli('dlq', 'redrive', 'job-dlq', '--max', '40', '--batch', '25');
      expect(piped.stderr).toBe('');
      // A batch that moved fewer than asked means the DLQ is drained: no further call.
      expect(
        api.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { limit: number }).limit),
      ).toEqual([25]);
      expect(piped.stdout).toMatch(/^moved\s+10$/m);
    });

    it('redrive of an unknown DLQ → 4 with the list command as hint', async () => {
      api.on('GET', '/v1/dlq', { status: 200, body: { items: [] } });
      const result = await cli('dlq', 'redrive', 'nope');
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('herald dlq list');
    });
  });

  describe('replay', () => {
    it('replays one event to one endpoint', async () => {
      api.on('POST', '/v1/events/evt_1/replay', { status: 202, body: { replayed: 1, failed: 0 } });
      const result = await cli('replay', 'evt_1', '--endpoint', 'ep_1', '--json');
      expect(api.requests[0]?.body).toEqual({ endpointId: 'ep_1' });
      expect(JSON.parse(result.stdout)).toEqual({ eventId: 'evt_1', replayed: 1, failed: 0 });
    });

    it('bulk replay walks the window in slices and halves a truncated slice', async () => {
      const first = '2025-01-01T00:00:00.000Z';
      api.on('POST', '/v1/replay', (r) => {
        const body = r.body as { since: string; until: string };
        // The first full hour is "too big" once; its halves are not.
        const truncated = body.since === first && body.until === '2025-01-01T01:00:00.000Z';
        return {
          status: 202,
          body: { replayed: truncated ? 1000 : 10, failed: 0, events: truncated ? 1000 : 5, truncated },
        };
      });
      const result = await cliTty(
        'replay',
        '--tenant',
        't_1',
        '--since',
        first,
        '--until',
        '2025-01-01T02:00:00.000Z',
        '--status',
        'failed',
        '--endpoint',
        'ep_1',
        '--json',
      );
      expect(result.code).toBe(0);
      const windows = api.requests.map(
        (r) =>
          r.body as { since: string; until: string; tenantId: string; status: string; endpointId: string },
      );
      expect(windows.map((w) => `${w.since.slice(11, 16)}-${w.until.slice(11, 16)}`)).toEqual([
        '00:00-01:00',
        '00:00-00:30',
        '00:30-01:00',
        '01:00-02:00',
      ]);
      expect(
        windows.every((w) => w.tenantId === 't_1' && w.status === 'failed' && w.endpointId === 'ep_1'),
      ).toBe(true);
      const summary = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({ events: 15, replayed: 1030, requests: 4, incomplete: [] });
      expect(result.stderr).toContain('replay [');
    });

    it('what an endpoint missed: counted with --dry-run, then replayed through its backlog', async () => {
      api.on('POST', '/v1/replay', (r) => {
        const body = r.body as { dryRun?: boolean };
        return body.dryRun === true
          ? { status: 200, body: { dryRun: true, wouldReplay: 7, events: 7, examined: 9, truncated: false } }
          : { status: 202, body: { replayed: 7, failed: 0, events: 7, truncated: false } };
      });
      const base = [
        'replay',
        '--tenant',
        't_1',
        '--since',
        '2025-01-01T00:00:00.000Z',
        '--until',
        '2025-01-01T01:00:00.000Z',
      ];
      const missed = [...base, '--endpoint', 'ep_1', '--status', 'skipped,failed', '--through-backlog'];
      const dry = await cli(...missed, '--dry-run', '--json');
      expect(dry.code).toBe(0);
      expect(api.requests[0]?.body).toMatchObject({
        endpointId: 'ep_1',
        status: ['skipped', 'failed'],
        throughBacklog: true,
        dryRun: true,
      });
      expect(JSON.parse(dry.stdout)).toMatchObject({ replayed: 7, events: 7 });
      const sent = await cli(...missed, '--json');
      expect(api.requests[1]?.body).not.toHaveProperty('dryRun');
      expect(JSON.parse(sent.stdout)).toMatchObject({ replayed: 7 });
      const noEndpoint = await cli(...base, '--through-backlog');
      expect(noEndpoint.code).toBe(2);
      expect(noEndpoint.stderr).toMatch(/--through-backlog needs --endpoint/);
    });

    it('accepts relative times and rejects a bad status or an inverted window (exit 2)', async () => {
      api.on('POST', '/v1/replay', {
        status: 202,
        body: { replayed: 0, failed: 0, events: 0, truncated: false },
      });
      const ok = await cli('replay', '--tenant', 't_1', '--since', '3h', '--slice', '1h');
      expect(ok.code).toBe(0);
      expect(api.requests).toHaveLength(3);
      expect((await cli('replay', '--tenant', 't_1', '--since', '1h', '--status', 'lost')).code).toBe(2);
      expect((await cli('replay', '--tenant', 't_1', '--since', 'now', '--until', '1h')).code).toBe(2);
      expect((await cli('replay', 'evt_1', '--tenant', 't_1')).code).toBe(2);
    });
  });

  describe('keys and metrics', () => {
    it('keys create sends role and tenant; revoke sends DELETE', async () => {
      api.on('POST', '/v1/keys', {
        status: 201,
        body: { id: 'key_1', role: 'tenant', tenantId: 't_1', key: 'hrld_x_y' },
      });
      api.on('DELETE', '/v1/keys/key_1', { status: 204 });
      const created = await cli('keys', 'create', '--role', 'tenant', '--tenant', 't_1', '--name', 'ci');
      expect(api.requests[0]?.body).toEqual({ role: 'tenant', tenantId: 't_1', name: 'ci' });
      expect(created.stdout).toMatch(/^key\s+hrld_x_y$/m);
      const revoked = await cli('keys', 'revoke', 'key_1');
      expect(revoked.code).toBe(0);
      expect(api.requests[1]?.method).toBe('DELETE');
      expect(revoked.stdout).toBe('Revoked key_1\n');
    });

    it('metrics reads HERALD_METRICS_URL and renders totals and queues', async () => {
      api.on('GET', '/metrics', {
        status: 200,
        body: {
          metrics: { WebhookFailed: 3 },
          perSecond: { WebhookFailed: 0.3 },
          queues: [{ name: 'dispatch-dlq', isDlq: true, visible: 7, inFlight: 0 }],
        },
      });
      const result = await herald(['metrics'], { env: { HERALD_METRICS_URL: `${api.url}/metrics` } });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/WebhookFailed\s+3\s+0\.3/);
      expect(result.stdout).toMatch(/dispatch-dlq\s+yes\s+7\s+0/);
      expect(api.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('metrics without a local runtime points at CloudWatch', async () => {
      const result = await herald(['metrics', '--url', 'https://api.example.com', '--key', 'k', '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ source: 'cloudwatch', namespace: 'Herald' });
    });
  });
});
