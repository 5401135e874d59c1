/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>`, sent as `v1,<base64>`; several signatures separated by
 * spaces while a rotated-out secret is still in its grace period. Receivers can verify with
 * off-the-shelf libraries (`standardwebhooks`, `svix`); `verifyWebhook` is Herald's own verifier,
 * used by the demo receiver and the tests.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HeraldError } from '../shared/errors.js';

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 24;
const SIGNATURE_VERSION = 'v1';
/** The spec's recommended window for `webhook-timestamp`, both directions (replay / clock skew). */
const DEFAULT_TOLERANCE_SECONDS = 300;

type WebhookHeaderName = 'webhook-id' | 'webhook-timestamp' | 'webhook-signature';

/** A webhook that does not verify. Never says which secret was tried. */
class WebhookVerificationError extends HeraldError {
  readonly code: string = 'invalid_signature';
  readonly status: number = 401;
}

function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key of a `whsec_<base64>` secret (a secret without the prefix is taken as bare base64). */
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new TypeError('A webhook secret must be whsec_ followed by base64');
  return key;
}

/** `v1,<base64 HMAC-SHA256 of "msgId.timestamp.body">`. */
function signPayload(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${msgId}.${timestampSeconds}.${body}`, 'utf8')
    .digest('base64');
  return `${SIGNATURE_VERSION},${mac}`;
}

function webhookHeaders(input: {
  readonly msgId: string;
  readonly timestampSeconds: number;
  readonly body: string;
  readonly secrets: readonly string[];
}): Record<WebhookHeaderName, string> {
  if (input.secrets.length === 0) throw new TypeError('At least one webhook secret is needed to sign');
  return {
    'webhook-id': input.msgId,
    'webhook-timestamp': String(input.timestampSeconds),
    'webhook-signature': input.secrets
      .map((secret) => signPayload(secret, input.msgId, input.timestampSeconds, input.body))
      .join(' '),
  };
}

function header(headers: Record<string, string | undefined>, name: WebhookHeaderName): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Throws WebhookVerificationError unless the headers carry a `v1` signature of `body` by `secret` and
 * the timestamp is within `toleranceSeconds` (default 300) of now. Unknown signature versions are
 * ignored, as the spec asks.
 */
function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  options: { readonly toleranceSeconds?: number; readonly nowSeconds?: number } = {},
): void {
  const msgId = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!msgId || !timestamp || !signatures) {
    throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header');
  }
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp');
  const timestampSeconds = Number(timestamp);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (timestampSeconds < now - tolerance) throw new WebhookVerificationError('Message timestamp too old');
  if (timestampSeconds > now + tolerance) throw new WebhookVerificationError('Message timestamp too new');

  const expected = signPayload(secret, msgId, timestampSeconds, body);
  // Compare against every candidate, without stopping early, so timing says nothing about position.
  let matched = false;
  for (const candidate of signatures.split(' ')) {
    if (candidate.startsWith(`${SIGNATURE_VERSION},`) && constantTimeEqual(candidate, expected))
      matched = true;
  }
  if (!matched) throw new WebhookVerificationError('No matching signature found');
}

export type { WebhookHeaderName };
export { generateWebhookSecret, signPayload, verifyWebhook, WebhookVerificationError, webhookHeaders };
