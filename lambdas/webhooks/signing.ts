/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>`, sent as `v1,<base64>`, and ed25519 over the same content
 * as `v1a,<base64>` (signing-v1a.ts); several signatures separated by spaces while a rotated-out secret
 * or key is still in its grace period, and v1 before v1a when an endpoint uses both. Receivers can
 * verify v1 with off-the-shelf libraries (`standardwebhooks`, `svix`), which ignore the v1a entries;
 * `verifyWebhook` and `verifyWebhookV1a` are Herald's own verifiers, used by the tests.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HeraldError } from '../shared/errors.js';
import { matchesV1a, signPayloadV1a } from './signing-v1a.js';

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
  /** HMAC secrets (`whsec_`): one `v1` entry each. */
  readonly secrets: readonly string[];
  /** ed25519 secret keys (`whsk_`): one `v1a` entry each, after the v1 ones. @default [] */
  readonly signingKeys?: readonly string[];
}): Record<WebhookHeaderName, string> {
  const keys = input.signingKeys ?? [];
  if (input.secrets.length === 0 && keys.length === 0) {
    throw new TypeError('At least one webhook secret or signing key is needed to sign');
  }
  const { msgId, timestampSeconds, body } = input;
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': [
      ...input.secrets.map((secret) => signPayload(secret, msgId, timestampSeconds, body)),
      ...keys.map((key) => signPayloadV1a(key, msgId, timestampSeconds, body)),
    ].join(' '),
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

type VerifyOptions = { readonly toleranceSeconds?: number; readonly nowSeconds?: number };

/** The three headers, with the timestamp checked against the tolerance window; throws otherwise. */
function checkedHeaders(headers: Record<string, string | undefined>, options: VerifyOptions) {
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
  return { msgId, timestampSeconds, signatures };
}

/**
 * Throws WebhookVerificationError unless the headers carry a `v1` signature of `body` by `secret` and
 * the timestamp is within `toleranceSeconds` (default 300) of now. Unknown signature versions (v1a
 * included) are ignored, as the spec asks.
 */
function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  options: VerifyOptions = {},
): void {
  const { msgId, timestampSeconds, signatures } = checkedHeaders(headers, options);
  const expected = signPayload(secret, msgId, timestampSeconds, body);
  // Compare against every candidate, without stopping early, so timing says nothing about position.
  let matched = false;
  for (const candidate of signatures.split(' ')) {
    if (candidate.startsWith(`${SIGNATURE_VERSION},`) && constantTimeEqual(candidate, expected))
      matched = true;
  }
  if (!matched) throw new WebhookVerificationError('No matching signature found');
}

/**
 * Throws WebhookVerificationError unless the headers carry a `v1a` signature of `body` by one of
 * `publicKeys` (`whpk_`) and the timestamp is within the window. v1 and unknown entries are ignored.
 */
function verifyWebhookV1a(
  publicKeys: readonly string[],
  headers: Record<string, string | undefined>,
  body: string,
  options: VerifyOptions = {},
): void {
  const { msgId, timestampSeconds, signatures } = checkedHeaders(headers, options);
  if (!matchesV1a(publicKeys, signatures, msgId, timestampSeconds, body)) {
    throw new WebhookVerificationError('No matching v1a signature found');
  }
}

export type { WebhookHeaderName };
export {
  generateWebhookSecret,
  signPayload,
  verifyWebhook,
  verifyWebhookV1a,
  WebhookVerificationError,
  webhookHeaders,
};
