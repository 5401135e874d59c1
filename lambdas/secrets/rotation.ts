import type { EndpointSecret } from '../shared/model.js';

/**
 * Secret rotation as a decision: (the endpoint's secrets, the rotation asked for, now) → the new list,
 * or a refusal. Pure; the route does the I/O. The same rules rotate v1a key pairs (`rotateCredentials`
 * over any credential with `createdAt`/`expiresAt`). Rules (docs/api.md "Endpoints"):
 * - the new secret comes first and signs from now on;
 * - still-valid old secrets keep signing until now + grace (never later than an expiry they had), so
 *   receivers can switch without a failed delivery;
 * - at most MAX_ACTIVE_SECRETS sign at once: rotating while a previous secret is still in its grace
 *   period is refused (`limit_exceeded`), unless `expireCurrentNow` — for a leaked secret — drops every
 *   old secret at once.
 */

/** Secrets that may sign at the same time (the new one and one in its grace period). */
const MAX_ACTIVE_SECRETS = 2;

interface RotationInput {
  /** The new secret (already generated). */
  readonly secret: string;
  /** How long a rotated-out secret keeps signing. */
  readonly graceSeconds: number;
  /** Drop every old secret now instead of after the grace period. @default false */
  readonly expireCurrentNow?: boolean;
}

type Rotation =
  | {
      readonly kind: 'rotated';
      readonly secrets: EndpointSecret[];
      /** When the previous secret stops signing (epoch seconds); now when expired at once. */
      readonly previousExpiresAt?: number;
    }
  | { readonly kind: 'limit_exceeded'; readonly active: number; readonly limit: number };

/** Anything that signs until it expires: an HMAC secret, a v1a key pair. */
interface Rotatable {
  readonly createdAt: string;
  /** Epoch seconds after which it stops signing. */
  readonly expiresAt?: number;
}

type CredentialRotation<T> =
  | { readonly kind: 'rotated'; readonly credentials: T[]; readonly previousExpiresAt?: number }
  | { readonly kind: 'limit_exceeded'; readonly active: number; readonly limit: number };

function isActive(secret: Rotatable, nowSeconds: number): boolean {
  return secret.expiresAt === undefined || secret.expiresAt > nowSeconds;
}

/** `fresh` first; the active ones kept until now + grace, or dropped with expireCurrentNow. */
function rotateCredentials<T extends Rotatable>(
  current: readonly T[],
  fresh: T,
  input: Omit<RotationInput, 'secret'>,
  now: Date,
): CredentialRotation<T> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const active = current.filter((s) => isActive(s, nowSeconds));
  if (input.expireCurrentNow === true) {
    return {
      kind: 'rotated',
      credentials: [fresh],
      ...(active.length > 0 ? { previousExpiresAt: nowSeconds } : {}),
    };
  }
  if (active.length + 1 > MAX_ACTIVE_SECRETS) {
    return { kind: 'limit_exceeded', active: active.length, limit: MAX_ACTIVE_SECRETS };
  }
  const graceEnd = nowSeconds + input.graceSeconds;
  const kept = active.map((s) => ({ ...s, expiresAt: Math.min(s.expiresAt ?? graceEnd, graceEnd) }));
  const previousExpiresAt = kept[0]?.expiresAt;
  return {
    kind: 'rotated',
    credentials: [fresh, ...kept],
    ...(previousExpiresAt !== undefined ? { previousExpiresAt } : {}),
  };
}

function rotate(current: readonly EndpointSecret[], input: RotationInput, now: Date): Rotation {
  const fresh: EndpointSecret = { secret: input.secret, createdAt: now.toISOString() };
  const rotation = rotateCredentials(current, fresh, input, now);
  if (rotation.kind === 'limit_exceeded') return rotation;
  const { credentials, ...rest } = rotation;
  return { ...rest, secrets: credentials };
}

export type { Rotation, RotationInput };
export { isActive, MAX_ACTIVE_SECRETS, rotate, rotateCredentials };
