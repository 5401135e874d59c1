import { afterEach, describe, expect, it } from 'vitest';
import { generateWebhookSecret, webhookHeaders } from '../../lambdas/webhooks/signing.js';
import { type Receiver, startReceiver } from '../../local/receiver/receiver.js';

describe('demo receiver', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
  });

  const send = (
    r: Receiver,
    secret: string,
    msgId: string,
    body = '{"type":"order.placed"}',
    tamper = false,
  ) => {
    const headers = webhookHeaders({
      msgId,
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
      secrets: [secret],
    });
    return fetch(`${r.url}/hook`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: tamper ? `${body} ` : body,
    });
  };

  it('verifies signatures, acks with 200 and dedupes by webhook-id', async () => {
    const secret = generateWebhookSecret();
    receiver = await startReceiver({ secrets: [secret] });
    expect((await send(receiver, secret, 'msg_1')).status).toBe(200);
    expect((await send(receiver, secret, 'msg_1')).status).toBe(200);
    expect((await send(receiver, secret, 'msg_2', '{"a":1}', true)).status).toBe(401);
    expect((await send(receiver, generateWebhookSecret(), 'msg_3')).status).toBe(401);
    const listed = (await (await fetch(`${receiver.url}/received`)).json()) as {
      count: number;
      duplicates: number;
      rejected: number;
      received: Array<{ id: string; attempts: number }>;
    };
    expect(listed).toMatchObject({ count: 1, duplicates: 1, rejected: 2 });
    expect(listed.received[0]).toMatchObject({ id: 'msg_1', attempts: 2, body: { type: 'order.placed' } });
  });

  it('fails N times with the status it is told, with Retry-After, then recovers', async () => {
    const secret = generateWebhookSecret();
    receiver = await startReceiver({ secrets: [secret] });
    const ctl = await fetch(`${receiver.url}/control`, {
      method: 'POST',
      body: JSON.stringify({ status: 503, times: 2, retryAfter: '1' }),
    });
    expect(await ctl.json()).toMatchObject({ failStatus: 503, failRemaining: 2 });
    const first = await send(receiver, secret, 'msg_9');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await send(receiver, secret, 'msg_9')).status).toBe(503);
    expect((await send(receiver, secret, 'msg_9')).status).toBe(200);
    expect(receiver.received().map((r) => [r.id, r.attempts])).toEqual([['msg_9', 3]]);
  });

  it('can be slow and can fail always', async () => {
    const secret = generateWebhookSecret();
    receiver = await startReceiver({ secrets: [secret] });
    receiver.control({ delayMs: 300 });
    const started = Date.now();
    expect((await send(receiver, secret, 'slow')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    receiver.control({ delayMs: 0, status: 500, times: 'always' });
    for (let i = 0; i < 3; i++) expect((await send(receiver, secret, `x${i}`)).status).toBe(500);
    receiver.control({ status: 200 });
    expect((await send(receiver, secret, 'x0')).status).toBe(200);
  });
});

describe('the receiver as tests and benchmarks script it', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
  });

  const post = (url: string, secret: string, msgId: string, body = '{"type":"a.b"}') =>
    fetch(url, {
      method: 'POST',
      headers: {
        ...webhookHeaders({
          msgId,
          timestampSeconds: Math.floor(Date.now() / 1000),
          body,
          secrets: [secret],
        }),
        'content-type': 'application/json',
      },
      body,
    });

  it('answers what `respond` decides, with how often the path saw the id; logs every request', async () => {
    const secret = generateWebhookSecret();
    const accepted: string[] = [];
    receiver = await startReceiver({
      secretsFor: (path) => (path === '/signed' ? [secret] : undefined),
      rejectUnverified: false,
      respond: (r) => (r.seenBefore === 0 ? { kind: 'status', status: 503, retryAfter: '2' } : undefined),
      onAccepted: (webhook) => accepted.push(`${webhook.path} ${webhook.id}`),
    });
    const first = await post(`${receiver.url}/signed`, secret, 'm1');
    expect([first.status, first.headers.get('retry-after'), await first.text()]).toEqual([503, '2', '503']);
    expect((await post(`${receiver.url}/signed`, secret, 'm1')).status).toBe(200);
    // A wrong secret is recorded as unverified and still answered, as scripted.
    expect((await post(`${receiver.url}/signed?x=1`, generateWebhookSecret(), 'm2')).status).toBe(503);
    expect((await post(`${receiver.url}/open`, secret, 'm1')).status).toBe(503);
    expect(accepted).toEqual(['/signed m1']);
    expect(
      receiver.requests().map((r) => [r.url, r.webhookId, r.seenBefore, r.verified, r.answered]),
    ).toEqual([
      ['/signed', 'm1', 0, true, '503'],
      ['/signed', 'm1', 1, true, '200'],
      ['/signed?x=1', 'm2', 0, false, '503'],
      ['/open', 'm1', 0, undefined, '503'],
    ]);
  });

  it('answers slowly when told: the status after delayMs, nothing to a sender that gave up first', async () => {
    const secret = generateWebhookSecret();
    receiver = await startReceiver({ respond: () => ({ kind: 'status', status: 200, delayMs: 300 }) });
    const started = Date.now();
    const answer = await post(`${receiver.url}/slow`, secret, 's1');
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // A sender that times out first sees its own abort; the receiver keeps serving.
    await expect(
      fetch(`${receiver.url}/slow`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await post(`${receiver.url}/slow`, secret, 's2')).status).toBe(200);
    expect(receiver.requests().map((r) => r.answered)).toEqual(['200', '200', '200']);
  });

  it('hangs or drops the connection when told; stop refuses, start listens on the same port again', async () => {
    const secret = generateWebhookSecret();
    receiver = await startReceiver({
      respond: (r) =>
        r.path === '/hang'
          ? { kind: 'hang', maxMs: 5_000 }
          : r.path === '/close'
            ? { kind: 'close' }
            : undefined,
    });
    const url = receiver.url;
    await expect(post(`${url}/close`, secret, 'c1')).rejects.toThrow();
    const hanging = post(`${url}/hang`, secret, 'h1').then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await receiver.stop();
    expect(await hanging).toBe('dropped');
    await expect(post(`${url}/ok`, secret, 'o1')).rejects.toThrow();
    await receiver.start();
    expect(receiver.url).toBe(url);
    expect((await post(`${url}/ok`, secret, 'o1')).status).toBe(200);
    expect(receiver.requests().map((r) => r.answered)).toEqual(['close', 'hang', '200']);
  });
});
