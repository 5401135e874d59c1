import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenAddressError,
  ForbiddenError,
  HeraldError,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  InvalidRequestError,
  InvalidUrlError,
  isHeraldError,
  NotFoundError,
  PayloadTooLargeError,
  TransientError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../../../lambdas/shared/errors.js';

describe('errors', () => {
  it.each([
    [InvalidRequestError, 400, 'invalid_request', false],
    [UnauthorizedError, 401, 'unauthorized', false],
    [ForbiddenError, 403, 'forbidden', false],
    [NotFoundError, 404, 'not_found', false],
    [ConflictError, 409, 'conflict', false],
    [PayloadTooLargeError, 413, 'payload_too_large', false],
    [UnsupportedMediaTypeError, 415, 'unsupported_media_type', false],
    [InvalidUrlError, 400, 'invalid_url', false],
    [ForbiddenAddressError, 400, 'forbidden_address', false],
    [IdempotencyKeyReusedError, 422, 'idempotency_key_reused', false],
    [IdempotencyKeyInFlightError, 409, 'idempotency_key_in_flight', true],
    [TransientError, 503, 'unavailable', true],
  ] as const)('%o → %i %s retryable=%s', (ErrorClass, status, code, retryable) => {
    const error = new ErrorClass('message');
    expect(error).toBeInstanceOf(HeraldError);
    expect(error).toBeInstanceOf(Error);
    expect(isHeraldError(error)).toBe(true);
    expect({ status: error.status, code: error.code, retryable: error.retryable }).toEqual({
      status,
      code,
      retryable,
    });
    expect(error.name).toBe(ErrorClass.name);
    expect(error.message).toBe('message');
  });

  it('keeps cause and detail', () => {
    const cause = new Error('root');
    const error = new InvalidRequestError('bad', { cause, detail: { field: 'type' } });
    expect(error.cause).toBe(cause);
    expect(error.detail).toEqual({ field: 'type' });
    expect(new InvalidRequestError('bad').detail).toBeUndefined();
  });

  it('does not treat plain errors as HeraldErrors', () => {
    expect(isHeraldError(new Error('x'))).toBe(false);
    expect(isHeraldError('x')).toBe(false);
  });
});
