import type { EndpointSecret } from '../shared/model.js';

/**
 * Secret rotation as a decision: (the endpoint's secrets, the rotation asked for, now) → the new list,
 * or a refusal. Pure; the route does the I/O. Rules (docs/api.md "Endpoints"):
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

function isActive(secret: EndpointSecret, nowSeconds: number): boolean {
  return secret.expiresAt === undefined || secret.expiresAt > nowSeconds;
}

function rotate(current: readonly EndpointSecret[], input: RotationInput, now: Date): Rotation {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const fresh: EndpointSecret = { secret: input.secret, createdAt: now.toISOString() };
  const active = current.filter((s) => isActive(s, nowSeconds));
  if (input.expireCurrentNow === true) {
    return {
      kind: 'rotated',
      secrets: [fresh],
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
    secrets: [fresh, ...kept],
    ...(previousExpiresAt !== undefined ? { previousExpiresAt } : {}),
  };
}

export type { Rotation, RotationInput };
export { isActive, MAX_ACTIVE_SECRETS, rotate };
