/**
 * Standard Webhooks signing for the baseline: Herald's own `lambdas/webhooks/signing.ts` when it exists
 * (so both sides of the comparison sign identically), else the same scheme on node:crypto.
 */

import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type WebhookHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;
type HeaderSigner = (input: {
  msgId: string;
  timestampSeconds: number;
  body: string;
  secrets: readonly string[];
}) => WebhookHeaders;

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by the base64 part of `whsec_…`. */
function cryptoSignature(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${msgId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

const cryptoSigner: HeaderSigner = ({ msgId, timestampSeconds, body, secrets }) => ({
  'webhook-id': msgId,
  'webhook-timestamp': String(timestampSeconds),
  'webhook-signature': secrets.map((s) => cryptoSignature(s, msgId, timestampSeconds, body)).join(' '),
});

/** Resolves Herald's signer when present; reports which one is used. */
async function loadSigner(): Promise<{ sign: HeaderSigner; source: string }> {
  const path = join(import.meta.dirname, '..', '..', 'lambdas', 'shared', 'signing.ts');
  if (existsSync(path)) {
    const mod = (await import(path)) as { webhookHeaders?: HeaderSigner };
    if (typeof mod.webhookHeaders === 'function')
      return { sign: mod.webhookHeaders, source: 'lambdas/webhooks/signing.ts' };
  }
  return { sign: cryptoSigner, source: 'node:crypto (lambdas/webhooks/signing.ts not present)' };
}

export type { HeaderSigner, WebhookHeaders };
export { cryptoSignature, cryptoSigner, loadSigner };
