import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateWebhookSecret, signPayload } from '../../lambdas/webhooks/signing.js';
import { generateSigningKeyPair, publicJwk, signPayloadV1a } from '../../lambdas/webhooks/signing-v1a.js';
import { type Receiver, startReceiver } from '../../local/receiver/receiver.js';

/** Headers as Herald sends them: the v1 and/or v1a entries, space-separated. */
function signed(msgId: string, body: string, opts: { secrets?: string[]; keys?: string[] }) {
  const ts = Math.floor(Date.now() / 1000);
  const entries = [
    ...(opts.secrets ?? []).map((s) => signPayload(s, msgId, ts, body)),
    ...(opts.keys ?? []).map((k) => signPayloadV1a(k, msgId, ts, body)),
  ];
  return { 'webhook-id': msgId, 'webhook-timestamp': String(ts), 'webhook-signature': entries.join(' ') };
}

async function post(r: Receiver, headers: Record<string, string>, body: string): Promise<number> {
  const res = await fetch(`${r.url}/hook`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  return res.status;
}

describe('demo receiver, v1a', () => {
  let receiver: Receiver | undefined;
  let jwksServer: Server | undefined;
  afterEach(async () => {
    await receiver?.close();
    await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
    receiver = undefined;
    jwksServer = undefined;
  });

  it('verifies v1a with a pinned whpk_ key only, and refuses another key or a tampered body', async () => {
    const pair = generateSigningKeyPair();
    receiver = await startReceiver({ secrets: [pair.publicKey] });
    const body = '{"type":"order.placed","data":{"big":12345678901234567890}}';
    expect(await post(receiver, signed('msg_1', body, { keys: [pair.secretKey] }), body)).toBe(200);
    const other = generateSigningKeyPair();
    expect(await post(receiver, signed('msg_2', body, { keys: [other.secretKey] }), body)).toBe(401);
    expect(await post(receiver, signed('msg_3', body, { keys: [pair.secretKey] }), `${body} `)).toBe(401);
    // an HMAC signature is no use to a receiver that holds only a public key
    const secret = generateWebhookSecret();
    expect(await post(receiver, signed('msg_4', body, { secrets: [secret] }), body)).toBe(401);
    expect(receiver.received().map((r) => [r.id, r.verifiedBy])).toEqual([['msg_1', 'v1a']]);
  });

  it('takes keys from a JWKS and fetches it again when a rotation brings a new key', async () => {
    const first = generateSigningKeyPair();
    const second = generateSigningKeyPair();
    let published = [first.publicKey];
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys: published.map(publicJwk) }));
    });
    await new Promise<void>((resolve) => jwksServer!.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    receiver = await startReceiver({ jwksUrl });
    const body = '{"n":1}';
    expect(await post(receiver, signed('a', body, { keys: [first.secretKey] }), body)).toBe(200);
    published = [second.publicKey, first.publicKey];
    // both signatures during the overlap: the cached first key still verifies, no refetch needed
    expect(await post(receiver, signed('b', body, { keys: [second.secretKey, first.secretKey] }), body)).toBe(
      200,
    );
    await new Promise((r) => setTimeout(r, 1100));
    // only the new key signs (expireCurrentNow): unknown to the cache, so the receiver refetches
    expect(await post(receiver, signed('c', body, { keys: [second.secretKey] }), body)).toBe(200);
    const listed = (await (await fetch(`${receiver.url}/received`)).json()) as { jwksFetches: number };
    expect(listed.jwksFetches).toBe(2);
    expect(receiver.received().map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('with both a secret and a public key, either scheme verifies', async () => {
    const pair = generateSigningKeyPair();
    const secret = generateWebhookSecret();
    receiver = await startReceiver({ secrets: [secret, pair.publicKey] });
    const body = '{}';
    expect(await post(receiver, signed('v1', body, { secrets: [secret] }), body)).toBe(200);
    expect(await post(receiver, signed('v1a', body, { keys: [pair.secretKey] }), body)).toBe(200);
    expect(receiver.received().map((r) => r.verifiedBy)).toEqual(['v1', 'v1a']);
  });
});
