import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, RESPONSE_BODY_BYTES } from '../../../lambdas/webhooks/webhook-client.js';
import { type Receiver, startReceiver } from './support.js';

let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver.close();
});

const post = (path: string) =>
  postWebhook({
    url: `${receiver.base}${path}`,
    body: '{}',
    headers: {},
    timeoutMs: 2_000,
    allowLoopback: true,
  });

describe('postWebhook responseBody', () => {
  it('keeps a short answer whole', async () => {
    receiver.reply('/short', { status: 400, body: '{"error":"bad signature"}' });
    expect(await post('/short')).toMatchObject({
      statusCode: 400,
      responseBody: '{"error":"bad signature"}',
    });
  });

  it('keeps the first 1024 bytes of a long answer', async () => {
    const body = `${'a'.repeat(1000)}${'b'.repeat(5000)}`;
    receiver.reply('/long', { status: 500, body });
    const result = await post('/long');
    expect(RESPONSE_BODY_BYTES).toBe(1024);
    expect(result.responseBody).toBe(body.slice(0, 1024));
  });

  it('cuts a multi-byte character at the limit into U+FFFD, never more than the limit in bytes', async () => {
    const body = `${'a'.repeat(1023)}é and more`;
    receiver.reply('/utf8', { status: 200, body });
    const result = await post('/utf8');
    expect(result.responseBody).toBe(`${'a'.repeat(1023)}\uFFFD`);
  });

  it('records nothing for an empty answer', async () => {
    receiver.reply('/empty', { status: 204 });
    const result = await post('/empty');
    expect(result.statusCode).toBe(204);
    expect(result).not.toHaveProperty('responseBody');
  });
});
