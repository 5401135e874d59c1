import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../bench/baseline/receiver.js';
import { cryptoSigner } from '../../bench/baseline/signer.js';

describe('the benchmarks receiver (the demo receiver with failure injection)', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
  });

  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const send = (url: string, id: string, signWith = secret) => {
    const body = JSON.stringify({ id, createdAt: Date.now() - 5 });
    const headers = cryptoSigner({
      msgId: id,
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
      secrets: [signWith],
    });
    return fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  };

  it('answers a first attempt 503 when told to, then records the id, when and how late it came', async () => {
    receiver = await startReceiver({ secret, failFirstAttemptRate: 1 });
    expect((await send(receiver.url, 'evt_1')).status).toBe(503);
    expect(receiver.delivered.size).toBe(0);
    expect((await send(receiver.url, 'evt_1')).status).toBe(200);
    expect((await send(receiver.url, 'evt_1')).status).toBe(200); // a duplicate: acked, not counted
    expect([...receiver.delivered]).toEqual(['evt_1']);
    expect([...receiver.acceptedAt.keys()]).toEqual(['evt_1']);
    expect(receiver.latenciesMs).toHaveLength(1);
    expect(receiver.latenciesMs[0]).toBeGreaterThanOrEqual(5);
  });

  it('refuses a webhook its secret does not verify', async () => {
    receiver = await startReceiver({ secret, failFirstAttemptRate: 0 });
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    expect((await send(receiver.url, 'evt_2', other)).status).toBe(401);
    expect((await send(receiver.url, 'evt_3')).status).toBe(200);
    expect([...receiver.delivered]).toEqual(['evt_3']);
  });
});
