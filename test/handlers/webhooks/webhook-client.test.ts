import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOCATION_CHARS, postWebhook } from '../../../lambdas/webhooks/webhook-client.js';
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

  // Redirects are not followed (API.md "Webhooks as received"): the 3xx is the answer, with its
  // Location, and nothing is sent to the target, whatever it is.
  it.each([301, 302, 303, 307, 308])('does not follow a %i: answers it with its Location', async (status) => {
    const path = `/moved-${status}`;
    const target = `/target-${status}`;
    receiver.reply(path, { status, headers: { location: target } });
    const result = await post(path);
    expect(result).toMatchObject({ statusCode: status, location: target });
    expect(result.errorClass).toBeUndefined();
    expect(receiver.on(path)).toHaveLength(1);
    expect(receiver.on(target)).toHaveLength(0);
  });

  it.each([
    ['127.0.0.2 (loopback outside the allowance)', 'http://127.0.0.2:9/x'],
    ['169.254.169.254 (metadata)', 'http://169.254.169.254/latest/meta-data'],
    ['an absolute https URL', 'https://example.com/new-home'],
  ])('reports a redirect to %s as the 3xx, never as a connection there', async (_name, location) => {
    const path = `/to-${encodeURIComponent(location)}`;
    receiver.reply(path, { status: 302, headers: { location } });
    const result = await post(path);
    expect(result).toMatchObject({ statusCode: 302, location });
    expect(result.errorClass).toBeUndefined();
  });

  it('answers a 3xx without Location as the status alone', async () => {
    receiver.reply('/no-location', { status: 300 });
    const result = await post('/no-location');
    expect(result.statusCode).toBe(300);
    expect(result.location).toBeUndefined();
  });

  it('bounds a huge Location to MAX_LOCATION_CHARS', async () => {
    const location = `/${'a'.repeat(MAX_LOCATION_CHARS * 2)}`;
    receiver.reply('/long-location', { status: 301, headers: { location } });
    const result = await post('/long-location');
    expect(result.location).toBe(location.slice(0, MAX_LOCATION_CHARS));
  });

  it('ignores a Location on a non-3xx answer', async () => {
    receiver.reply('/created', { status: 201, headers: { location: '/things/1' } });
    const result = await post('/created');
    expect(result.statusCode).toBe(201);
    expect(result.location).toBeUndefined();
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
