import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { Capture, type FakeApi, startFakeApi } from './fake-api.js';
import { emptyDir } from './harness.js';

/** Runs the CLI in-process; `prompt` stands for a person at a terminal. */
async function cli(
  api: { url: string },
  argv: string[],
  options: { prompt?: (q: string) => Promise<string>; cwd?: string } = {},
) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run([...argv, '--url', api.url, '--key', 'k'], {
    stdout,
    stderr,
    env: {},
    cwd: options.cwd ?? emptyDir(),
    ...(options.prompt ? { prompt: options.prompt } : {}),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const message = (id: string, facts: Record<string, string>) => ({
  messageId: id,
  body: { id: `evt_${id}`, type: facts.type ?? 'order.placed', tenantId: 't_1' },
  receiveCount: 1,
  receiptHandle: `rh-${id}`,
  facts,
});

/** A DLQ of `messages` behind the hold/release/purge routes, remembering what is held and deleted. */
function playDlq(api: FakeApi, messages: ReturnType<typeof message>[]) {
  const state = { held: new Set<string>(), released: [] as string[], deleted: [] as string[] };
  api.on('GET', '/v1/dlq', {
    status: 200,
    body: {
      items: [{ name: 'job-invoice-dlq', sourceQueue: 'job-invoice', depth: messages.length, inFlight: 0 }],
    },
  });
  api.on('POST', '/v1/dlq/job-invoice-dlq/hold', (request) => {
    const limit = (request.body as { limit: number }).limit;
    const page = messages
      .filter((m) => !state.held.has(m.receiptHandle) && !state.deleted.includes(m.receiptHandle))
      .slice(0, Math.min(limit, 2));
    for (const m of page) state.held.add(m.receiptHandle);
    return { status: 200, body: { items: page, heldUntil: '2026-12-07T11:00:00Z' } };
  });
  api.on('POST', '/v1/dlq/job-invoice-dlq/release', (request) => {
    const handles = (request.body as { receiptHandles: string[] }).receiptHandles;
    for (const h of handles) state.held.delete(h);
    state.released.push(...handles);
    return { status: 200, body: { released: handles.length } };
  });
  api.on('POST', '/v1/dlq/job-invoice-dlq/purge', (request) => {
    const handles = (request.body as { receiptHandles: string[] }).receiptHandles;
    for (const h of handles) state.held.delete(h);
    state.deleted.push(...handles);
    return { status: 200, body: { deleted: handles.length, failed: 0 } };
  });
  return state;
}

describe('herald dlq stats, peek --all, purge', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
  });

  const poison = message('a', {
    reason: 'permanent_error',
    errorClass: 'invalid_request',
    job: 'invoice',
  });
  const thrown = message('b', {
    reason: 'retries_exhausted',
    errorClass: 'TypeError',
    job: 'invoice',
    type: 'order.shipped',
  });
  const poison2 = message('c', {
    reason: 'permanent_error',
    errorClass: 'invalid_request',
    job: 'invoice',
  });

  it('stats prints the largest group first and each dimension', async () => {
    api.on('GET', '/v1/dlq', {
      status: 200,
      body: { items: [{ name: 'job-invoice-dlq', sourceQueue: 'job-invoice', depth: 3, inFlight: 0 }] },
    });
    api.on('GET', '/v1/dlq/job-invoice-dlq/stats', {
      status: 200,
      body: {
        name: 'job-invoice-dlq',
        total: 3,
        complete: true,
        oldestAt: '2026-12-07T10:00:00.000Z',
        newestAt: '2026-12-07T10:05:00.000Z',
        groups: [
          {
            reason: 'retries_exhausted',
            errorClass: 'TypeError',
            job: 'invoice',
            count: 2,
            exampleId: 'b',
            error: 'boom',
          },
          {
            reason: 'permanent_error',
            errorClass: 'invalid_request',
            job: 'invoice',
            count: 1,
            exampleId: 'a',
          },
        ],
        by: { job: [{ value: 'invoice', count: 3, exampleId: 'a' }] },
      },
    });
    const result = await cli(api, ['dlq', 'stats', 'job-invoice-dlq']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('COUNT'));
    expect(lines[header + 1]).toMatch(/^2\s+retries_exhausted\s+TypeError\s+invoice\s+-\s+-\s+-\s+b\s+boom$/);
    expect(result.stdout).toContain('by job: invoice 3');
    expect(result.stdout).toMatch(/messages\s+3\n/);
  });

  it('peek --all --out writes every message to the file and leaves the DLQ as it was', async () => {
    const state = playDlq(api, [poison, thrown, poison2]);
    const cwd = emptyDir();
    const result = await cli(api, ['dlq', 'peek', 'job-invoice-dlq', '--all', '--out', 'dlq.jsonl'], { cwd });
    expect(result.code).toBe(0);
    const lines = readFileSync(join(cwd, 'dlq.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.messageId)).toEqual(['a', 'b', 'c']);
    expect(lines[0]).not.toHaveProperty('receiptHandle');
    expect(state.held.size).toBe(0);
    expect(state.deleted).toEqual([]);
    expect(state.released.sort()).toEqual(['rh-a', 'rh-b', 'rh-c']);
  });

  it('peek --all without --out is a usage error', async () => {
    const result = await cli(api, ['dlq', 'peek', 'job-invoice-dlq', '--all']);
    expect(result.code).toBe(2);
    expect(api.requests).toHaveLength(0);
  });

  it('purge --match --yes exports exactly what it deletes, and releases the rest', async () => {
    const state = playDlq(api, [poison, thrown, poison2]);
    const cwd = emptyDir();
    const result = await cli(
      api,
      [
        'dlq',
        'purge',
        'job-invoice-dlq',
        '--match',
        'reason=permanent_error,errorClass=invalid_request',
        '--out',
        'purged.jsonl',
        '--yes',
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(state.deleted.sort()).toEqual(['rh-a', 'rh-c']);
    expect(state.released).toEqual(['rh-b']);
    const exported = readFileSync(join(cwd, 'purged.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).messageId);
    expect(exported.sort()).toEqual(['a', 'c']);
    expect(result.stdout).toMatch(/deleted\s+2/);
  });

  it('purge asks, and a wrong answer deletes nothing (the export stays)', async () => {
    const state = playDlq(api, [poison, thrown]);
    const cwd = emptyDir();
    const questions: string[] = [];
    const result = await cli(
      api,
      ['dlq', 'purge', 'job-invoice-dlq', '--match', 'job=invoice', '--out', 'p.jsonl'],
      {
        cwd,
        prompt: async (q) => {
          questions.push(q);
          return 'no';
        },
      },
    );
    expect(result.code).toBe(0);
    expect(questions[0]).toContain('delete these 2 messages');
    expect(state.deleted).toEqual([]);
    expect(state.released.sort()).toEqual(['rh-a', 'rh-b']);
    expect(readFileSync(join(cwd, 'p.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(result.stdout).toContain('not confirmed: nothing was deleted');
  });

  it('purge with no terminal and no --yes refuses before touching the DLQ', async () => {
    const result = await cli(api, ['dlq', 'purge', 'job-invoice-dlq']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
    expect(api.requests).toHaveLength(0);
  });

  it('purge rejects an unknown --match key', async () => {
    const result = await cli(api, ['dlq', 'purge', 'job-invoice-dlq', '--match', 'colour=red', '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('reason, errorClass, job, endpointId, type, tenantId');
  });

  it('dlq list counts in-flight messages in the depth', async () => {
    api.on('GET', '/v1/dlq', {
      status: 200,
      body: {
        items: [
          {
            name: 'webhook-dlq',
            sourceQueue: 'dispatch',
            depth: 2,
            inFlight: 3,
            oldestMessageAgeSeconds: 30,
          },
        ],
      },
    });
    const result = await cli(api, ['dlq', 'list']);
    expect(result.stdout).toMatch(/webhook-dlq\s+dispatch\s+5\s+2\s+3\s+30s/);
  });
});

describe('a 429 with Retry-After', () => {
  it('is waited out with a line saying why, then sent again', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls += 1;
        if (calls === 1) {
          res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '1' });
          res.end(
            JSON.stringify({
              status: 429,
              code: 'limit_exceeded',
              detail: 'At most 10 bulk replays per minute',
            }),
          );
          return;
        }
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ replayed: 2, failed: 0 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const result = await cli({ url }, ['replay', 'evt_1']);
      expect(result.code).toBe(0);
      expect(calls).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(result.stderr).toContain(
        'waiting 1s: POST /v1/events/evt_1/replay answered 429 with Retry-After',
      );
      expect(result.stdout).toMatch(/redeliveries requested\s+2/);
    } finally {
      server.close();
    }
  });

  it('past the wait limit, reports the 429 as an error', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '3600' });
        res.end(JSON.stringify({ status: 429, code: 'limit_exceeded', detail: 'later' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await cli({ url }, ['replay', 'evt_1']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('limit_exceeded (HTTP 429)');
    } finally {
      server.close();
    }
  });
});
