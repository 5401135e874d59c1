import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from '../../../lambdas/shared/webhook-client.js';
import { type Receiver, startReceiver } from './support.js';

let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver.close();
});

function post(path: string, overrides: { timeoutMs?: number; url?: string } = {}) {
  return postWebhook({
    url: overrides.url ?? `${receiver.base}${path}`,
    body: '{"hello":"world"}',
    headers: { 'webhook-id': 'evt_1' },
    timeoutMs: overrides.timeoutMs ?? 2_000,
    allowLoopback: true,
  });
}

describe('postWebhook', () => {
  it('POSTs the body with the given headers and answers the status', async () => {
    receiver.reply('/ok', { status: 200 });
    const result = await post('/ok');
    expect(result).toMatchObject({ statusCode: 200 });
    expect(result.errorClass).toBeUndefined();
    const [request] = receiver.on('/ok');
    expect(request?.body).toBe('{"hello":"world"}');
    expect(request?.headers['webhook-id']).toBe('evt_1');
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('answers Retry-After from the final response', async () => {
    receiver.reply('/busy', { status: 503, headers: { 'retry-after': '120' } });
    expect(await post('/busy')).toMatchObject({ statusCode: 503, retryAfter: '120' });
  });

  it('follows a redirect to an allowed URL, POSTing again', async () => {
    receiver.reply('/moved', { status: 308, headers: { location: '/ok2' } });
    receiver.reply('/ok2', { status: 202 });
    expect(await post('/moved')).toMatchObject({ statusCode: 202 });
    expect(receiver.on('/ok2')[0]?.body).toBe('{"hello":"world"}');
  });

  it.each([
    ['127.0.0.2 (loopback outside the allowance)', 'http://127.0.0.2:9/x'],
    ['10.0.0.1 (private)', 'https://10.0.0.1/x'],
    ['169.254.169.254 (metadata)', 'http://169.254.169.254/latest/meta-data'],
  ])('refuses a redirect to %s as forbidden_address without connecting', async (_name, location) => {
    const path = `/to-${encodeURIComponent(location)}`;
    receiver.reply(path, { status: 302, headers: { location } });
    const result = await post(path);
    expect(result.errorClass).toBe('forbidden_address');
    expect(result.statusCode).toBeUndefined();
  });

  it('gives up after three redirects', async () => {
    receiver.reply('/loop', { status: 307, headers: { location: '/loop' } });
    const before = receiver.on('/loop').length;
    expect((await post('/loop')).errorClass).toBe('invalid_url');
    expect(receiver.on('/loop').length - before).toBe(4);
  });

  it('classifies a receiver that never answers as timeout, within the deadline', async () => {
    receiver.reply('/hang', { status: 200, hang: true });
    const result = await post('/hang', { timeoutMs: 200 });
    expect(result.errorClass).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(result.durationMs).toBeLessThan(1_500);
  });

  it('classifies a closed port as connection_refused', async () => {
    const closed = await startReceiver();
    const url = `${closed.base}/gone`;
    await closed.close();
    expect((await post('', { url })).errorClass).toBe('connection_refused');
  });

  it('refuses a private or non-https URL before connecting', async () => {
    expect((await post('', { url: 'https://192.168.1.1/hook' })).errorClass).toBe('forbidden_address');
    expect((await post('', { url: 'http://example.com/hook' })).errorClass).toBe('invalid_url');
  });

  it('reads at most 64 KiB of a large answer and still reports the status', async () => {
    receiver.reply('/big', { status: 200, body: 'x'.repeat(1024 * 1024) });
    expect(await post('/big')).toMatchObject({ statusCode: 200 });
  });
});
