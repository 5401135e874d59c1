import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signPayload,
  verifyWebhook,
  WebhookVerificationError,
  webhookHeaders,
} from '../../../lambdas/webhooks/signing.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_7Hbq0TnGkDf6bUoP8V2xJcQyLmN4sRtZ';
const NOW = 1_700_000_000;
const BODY = '{"id":"evt_1","type":"order.placed","data":{"total":42}}';

/** The expected signature, computed here from the spec, not with Herald's code. */
function expectedSignature(secret: string, id: string, ts: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
}

function headersFor(secrets: readonly string[], overrides: Record<string, string | undefined> = {}) {
  return { ...webhookHeaders({ msgId: 'evt_1', timestampSeconds: NOW, body: BODY, secrets }), ...overrides };
}

function verificationError(fn: () => void): WebhookVerificationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('expected verification to fail');
}

describe('signing', () => {
  describe('generateWebhookSecret', () => {
    it('is whsec_ + base64 of 24 random bytes, different each time', () => {
      const a = generateWebhookSecret();
      expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(24);
      expect(generateWebhookSecret()).not.toBe(a);
    });
  });

  describe('signPayload', () => {
    it('is v1, + base64 HMAC-SHA256 of id.timestamp.body with the decoded secret', () => {
      expect(signPayload(SECRET, 'evt_1', NOW, BODY)).toBe(expectedSignature(SECRET, 'evt_1', NOW, BODY));
    });

    it('signs the body as UTF-8', () => {
      const body = '{"name":"Zoë 🚀"}';
      expect(signPayload(SECRET, 'evt_1', NOW, body)).toBe(expectedSignature(SECRET, 'evt_1', NOW, body));
    });
  });

  describe('webhookHeaders', () => {
    it('sets id, timestamp and one signature per secret, space-separated', () => {
      const headers = headersFor([SECRET, OTHER_SECRET]);
      expect(headers['webhook-id']).toBe('evt_1');
      expect(headers['webhook-timestamp']).toBe(String(NOW));
      expect(headers['webhook-signature']).toBe(
        `${expectedSignature(SECRET, 'evt_1', NOW, BODY)} ${expectedSignature(OTHER_SECRET, 'evt_1', NOW, BODY)}`,
      );
    });

    it('refuses to sign with no secret', () => {
      expect(() =>
        webhookHeaders({ msgId: 'evt_1', timestampSeconds: NOW, body: BODY, secrets: [] }),
      ).toThrow(TypeError);
    });
  });

  describe('verifyWebhook', () => {
    const at = { nowSeconds: NOW };

    it('accepts a valid signature', () => {
      expect(() => verifyWebhook(SECRET, headersFor([SECRET]), BODY, at)).not.toThrow();
    });

    it('reads header names case-insensitively', () => {
      const h = headersFor([SECRET]);
      const upper = {
        'Webhook-Id': h['webhook-id'],
        'Webhook-Timestamp': h['webhook-timestamp'],
        'Webhook-Signature': h['webhook-signature'],
      };
      expect(() => verifyWebhook(SECRET, upper, BODY, at)).not.toThrow();
    });

    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('rejects a missing %s', (name) => {
      const error = verificationError(() =>
        verifyWebhook(SECRET, headersFor([SECRET], { [name]: undefined }), BODY, at),
      );
      expect(error.code).toBe('invalid_signature');
      expect(error.status).toBe(401);
      expect(error.retryable).toBe(false);
    });

    it('rejects a stale timestamp (older than the tolerance)', () => {
      const error = verificationError(() =>
        verifyWebhook(SECRET, headersFor([SECRET]), BODY, { nowSeconds: NOW + 301 }),
      );
      expect(error.message).toMatch(/too old/);
    });

    it('accepts a timestamp exactly at the tolerance edge', () => {
      expect(() =>
        verifyWebhook(SECRET, headersFor([SECRET]), BODY, { nowSeconds: NOW + 300 }),
      ).not.toThrow();
      expect(() =>
        verifyWebhook(SECRET, headersFor([SECRET]), BODY, { nowSeconds: NOW - 300 }),
      ).not.toThrow();
    });

    it('rejects a future timestamp (beyond the tolerance)', () => {
      const error = verificationError(() =>
        verifyWebhook(SECRET, headersFor([SECRET]), BODY, { nowSeconds: NOW - 301 }),
      );
      expect(error.message).toMatch(/too new/);
    });

    it('honours a custom tolerance', () => {
      expect(() =>
        verifyWebhook(SECRET, headersFor([SECRET]), BODY, { nowSeconds: NOW + 10, toleranceSeconds: 5 }),
      ).toThrow(WebhookVerificationError);
    });

    it('rejects a non-numeric timestamp', () => {
      verificationError(() =>
        verifyWebhook(SECRET, headersFor([SECRET], { 'webhook-timestamp': '17e8' }), BODY, at),
      );
    });

    it('rejects a tampered body', () => {
      const error = verificationError(() =>
        verifyWebhook(SECRET, headersFor([SECRET]), BODY.replace('42', '43'), at),
      );
      expect(error.message).toMatch(/No matching signature/);
    });

    it('rejects a tampered id (the id is signed)', () => {
      verificationError(() =>
        verifyWebhook(SECRET, headersFor([SECRET], { 'webhook-id': 'evt_2' }), BODY, at),
      );
    });

    it('rejects a signature made with another secret', () => {
      verificationError(() => verifyWebhook(SECRET, headersFor([OTHER_SECRET]), BODY, at));
    });

    it('accepts when one of several signatures matches (rotation), in either position', () => {
      expect(() => verifyWebhook(SECRET, headersFor([OTHER_SECRET, SECRET]), BODY, at)).not.toThrow();
      expect(() => verifyWebhook(SECRET, headersFor([SECRET, OTHER_SECRET]), BODY, at)).not.toThrow();
      expect(() => verifyWebhook(OTHER_SECRET, headersFor([SECRET, OTHER_SECRET]), BODY, at)).not.toThrow();
    });

    it('rejects several signatures when none matches', () => {
      const third = generateWebhookSecret();
      verificationError(() => verifyWebhook(third, headersFor([SECRET, OTHER_SECRET]), BODY, at));
    });

    it('ignores signatures of unknown versions', () => {
      const mac = expectedSignature(SECRET, 'evt_1', NOW, BODY).slice(3);
      verificationError(() =>
        verifyWebhook(SECRET, headersFor([SECRET], { 'webhook-signature': `v2,${mac}` }), BODY, at),
      );
    });
  });

  describe('interoperability with the standardwebhooks package', () => {
    it('verifies Herald output', () => {
      const now = Math.floor(Date.now() / 1000);
      const headers = webhookHeaders({
        msgId: 'evt_x',
        timestampSeconds: now,
        body: BODY,
        secrets: [SECRET],
      });
      expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    });

    it('verifies with either secret during rotation, and rejects a third', () => {
      const now = Math.floor(Date.now() / 1000);
      const headers = webhookHeaders({
        msgId: 'evt_x',
        timestampSeconds: now,
        body: BODY,
        secrets: [OTHER_SECRET, SECRET],
      });
      expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
      expect(new Webhook(OTHER_SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
      expect(() => new Webhook(generateWebhookSecret()).verify(BODY, headers)).toThrow();
    });

    it('Herald verifies what the standardwebhooks package signs', () => {
      const now = new Date();
      const signature = new Webhook(SECRET).sign('msg_1', now, BODY);
      const headers = {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      };
      expect(() => verifyWebhook(SECRET, headers, BODY)).not.toThrow();
    });
  });

  describe('properties', () => {
    const ids = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes(' ') && s.trim() === s);
    const timestamps = fc.integer({ min: 1, max: 4_000_000_000 });
    const secrets = fc
      .uint8Array({ minLength: 24, maxLength: 24 })
      .map((b) => `whsec_${Buffer.from(b).toString('base64')}`);

    it('verify(sign(x)) holds for arbitrary bodies, ids and timestamps', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme' }), ids, timestamps, secrets, (body, msgId, ts, secret) => {
          const headers = webhookHeaders({ msgId, timestampSeconds: ts, body, secrets: [secret] });
          verifyWebhook(secret, headers, body, { nowSeconds: ts });
        }),
      );
    });

    it('any changed byte of the body fails', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 200 }),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          secrets,
          (bytes, index, delta, secret) => {
            const body = Buffer.from(bytes).toString('latin1');
            const i = index % bytes.length;
            const changed = Buffer.from(bytes);
            changed[i] = (changed[i]! + delta) % 256;
            const tampered = changed.toString('latin1');
            const headers = webhookHeaders({
              msgId: 'evt_p',
              timestampSeconds: NOW,
              body,
              secrets: [secret],
            });
            expect(() => verifyWebhook(secret, headers, tampered, { nowSeconds: NOW })).toThrow(
              WebhookVerificationError,
            );
          },
        ),
      );
    });

    it('a timestamp beyond the tolerance, either way, fails', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 301, max: 10_000_000 }),
          fc.boolean(),
          secrets,
          (skew, past, secret) => {
            const headers = webhookHeaders({
              msgId: 'evt_p',
              timestampSeconds: NOW,
              body: BODY,
              secrets: [secret],
            });
            const nowSeconds = past ? NOW + skew : NOW - skew;
            expect(() => verifyWebhook(secret, headers, BODY, { nowSeconds })).toThrow(
              WebhookVerificationError,
            );
          },
        ),
      );
    });

    it('a different secret fails', () => {
      fc.assert(
        fc.property(secrets, secrets, fc.string(), (signer, verifier, body) => {
          fc.pre(signer !== verifier);
          const headers = webhookHeaders({ msgId: 'evt_p', timestampSeconds: NOW, body, secrets: [signer] });
          expect(() => verifyWebhook(verifier, headers, body, { nowSeconds: NOW })).toThrow(
            WebhookVerificationError,
          );
        }),
      );
    });
  });
});
