import { describe, expect, it } from 'vitest';
import {
  ForbiddenAddressError,
  IdempotencyKeyReusedError,
  InvalidRequestError,
  NotFoundError,
  TransientError,
} from '../../../lambdas/shared/errors.js';
import { jsonResponse, problemResponse } from '../../../lambdas/shared/problem.js';

function bodyOf(response: { body?: string }): Record<string, unknown> {
  return JSON.parse(response.body ?? '') as Record<string, unknown>;
}

describe('problem', () => {
  describe('problemResponse', () => {
    it('renders a HeraldError as an RFC 9457 problem document', () => {
      const response = problemResponse(new NotFoundError('Endpoint not found'), '/v1/endpoints/ep_1');
      expect(response.statusCode).toBe(404);
      expect(response.headers).toEqual({ 'content-type': 'application/problem+json' });
      expect(bodyOf(response)).toEqual({
        type: 'https://herald.dev/problems/not_found',
        title: 'Not Found',
        status: 404,
        detail: 'Endpoint not found',
        code: 'not_found',
        instance: '/v1/endpoints/ep_1',
      });
    });

    it('omits instance when not given', () => {
      expect(bodyOf(problemResponse(new IdempotencyKeyReusedError('reused')))).not.toHaveProperty('instance');
    });

    it('spreads the error detail into the body as extension members', () => {
      const body = bodyOf(problemResponse(new InvalidRequestError('bad', { detail: { field: 'type' } })));
      expect(body).toMatchObject({ status: 400, code: 'invalid_request', field: 'type' });
    });

    it('never lets detail overwrite the standard members', () => {
      const error = new ForbiddenAddressError('no', {
        detail: { status: 200, code: 'ok', reason: 'private' },
      });
      const body = bodyOf(problemResponse(error));
      expect(body).toMatchObject({ status: 400, code: 'forbidden_address', reason: 'private' });
    });

    it('hides anything that is not a HeraldError behind a generic 500', () => {
      const response = problemResponse(
        new Error('ConditionalCheckFailed on table herald-main at arn:aws:...'),
      );
      expect(response.statusCode).toBe(500);
      expect(response.headers).toEqual({ 'content-type': 'application/problem+json' });
      const body = bodyOf(response);
      expect(body).toMatchObject({ status: 500, code: 'internal_error', title: 'Internal Server Error' });
      expect(response.body).not.toContain('herald-main');
      expect(problemResponse('a thrown string').statusCode).toBe(500);
      expect(problemResponse(undefined).statusCode).toBe(500);
    });

    it('does not leak the cause of a HeraldError', () => {
      const response = problemResponse(
        new TransientError('retry later', { cause: new Error('secret-internal') }),
      );
      expect(response.statusCode).toBe(503);
      expect(response.body).not.toContain('secret-internal');
    });
  });

  describe('jsonResponse', () => {
    it('serialises the body with a JSON content type and extra headers', () => {
      const response = jsonResponse(201, { id: 'ep_1' }, { location: '/v1/endpoints/ep_1' });
      expect(response).toEqual({
        statusCode: 201,
        headers: { 'content-type': 'application/json', location: '/v1/endpoints/ep_1' },
        body: '{"id":"ep_1"}',
      });
    });
  });
});
