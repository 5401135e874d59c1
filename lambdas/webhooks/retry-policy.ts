/**
 * What a receiver's HTTP status means for a delivery (API.md "Webhooks as received"): any 2xx is
 * delivered; 408, 409, 425, 429 and 5xx may pass later, so they are retried; any other 4xx is the
 * receiver refusing this message for good. A 3xx is not followed (webhook-client.ts) and is retried
 * like a 5xx: a redirect is usually a moved or mistyped URL, and a subscriber who fixes the endpoint's
 * URL within the schedule gets the delivery on the next attempt (Stripe and Svix do the same).
 */

type DeliveryVerdict = 'delivered' | 'retry' | 'give_up';

/** 4xx statuses that say "not now" rather than "never". */
const RETRYABLE_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 409, 425, 429]);

function classifyStatus(status: number): DeliveryVerdict {
  if (status >= 200 && status <= 299) return 'delivered';
  if (status >= 500 && status <= 599) return 'retry';
  if (status >= 300 && status <= 399) return 'retry';
  if (RETRYABLE_CLIENT_STATUSES.has(status)) return 'retry';
  return 'give_up';
}

/** Statuses whose Retry-After header sets the minimum wait. */
function honoursRetryAfter(status: number): boolean {
  return status === 429 || status === 503;
}

export type { DeliveryVerdict };
export { classifyStatus, honoursRetryAfter };
