/**
 * Herald's error classes. Every error carries a stable machine-readable `code`, the HTTP `status` the
 * API answers with, and whether it is `retryable` — so a queue consumer decides from the class alone
 * whether to throw (let SQS redeliver) or to record the failure and move on.
 */

interface HeraldErrorOptions {
  readonly cause?: unknown;
  /** Extra, client-safe fields; problem documents spread them into the body. */
  readonly detail?: Record<string, unknown>;
}

abstract class HeraldError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly retryable: boolean = false;
  readonly detail?: Record<string, unknown>;

  constructor(message: string, options: HeraldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.detail !== undefined) this.detail = options.detail;
  }
}

class InvalidRequestError extends HeraldError {
  readonly code: string = 'invalid_request';
  readonly status: number = 400;
}

class UnauthorizedError extends HeraldError {
  readonly code: string = 'unauthorized';
  readonly status: number = 401;
}

class ForbiddenError extends HeraldError {
  readonly code: string = 'forbidden';
  readonly status: number = 403;
}

class NotFoundError extends HeraldError {
  readonly code: string = 'not_found';
  readonly status: number = 404;
}

class ConflictError extends HeraldError {
  readonly code: string = 'conflict';
  readonly status: number = 409;
}

class PayloadTooLargeError extends HeraldError {
  readonly code: string = 'payload_too_large';
  readonly status: number = 413;
}

class UnsupportedMediaTypeError extends HeraldError {
  readonly code: string = 'unsupported_media_type';
  readonly status: number = 415;
}

/** Not a URL, not https, credentials in it, or a bad port. */
class InvalidUrlError extends HeraldError {
  readonly code: string = 'invalid_url';
  readonly status: number = 400;
}

/** The URL names or resolves to an address webhooks may not reach (SSRF guard). */
class ForbiddenAddressError extends HeraldError {
  readonly code: string = 'forbidden_address';
  readonly status: number = 400;
}

/** The same Idempotency-Key was sent with a different body. */
class IdempotencyKeyReusedError extends HeraldError {
  readonly code: string = 'idempotency_key_reused';
  readonly status: number = 422;
}

/** The first request with this Idempotency-Key is still running; the client should retry. */
class IdempotencyKeyInFlightError extends HeraldError {
  readonly code: string = 'idempotency_key_in_flight';
  readonly status: number = 409;
  override readonly retryable = true;
}

/** Another run holds the delivery's lease and is mid-attempt; retry later (SQS redelivery) rather than send twice. */
class DeliveryInFlightError extends HeraldError {
  readonly code: string = 'delivery_in_flight';
  readonly status: number = 409;
  override readonly retryable = true;
}

/** A documented limit (docs/api.md "Limits") would be exceeded; `detail.limit` says which value. */
class LimitExceededError extends HeraldError {
  readonly code: string = 'limit_exceeded';
  readonly status: number = 403;
}

/** A dependency (DynamoDB, SNS, ...) failed in a way that may pass on retry. */
class TransientError extends HeraldError {
  readonly code: string = 'unavailable';
  readonly status: number = 503;
  override readonly retryable = true;
}

/**
 * A rate limit (docs/api.md "Limits") is used up for now: 429 with `Retry-After`, code `limit_exceeded`
 * like every limit. It clears by itself, so it is the one limit answered "later" rather than 403.
 */
class RateLimitedError extends HeraldError {
  readonly code: string = 'limit_exceeded';
  readonly status: number = 429;
  override readonly retryable = true;
  /** Seconds until the limit allows the call again (the Retry-After header). */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options: HeraldErrorOptions = {}) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function isHeraldError(error: unknown): error is HeraldError {
  return error instanceof HeraldError;
}

export type { HeraldErrorOptions };
export {
  ConflictError,
  DeliveryInFlightError,
  ForbiddenAddressError,
  ForbiddenError,
  HeraldError,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  InvalidRequestError,
  InvalidUrlError,
  isHeraldError,
  LimitExceededError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TransientError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
};
