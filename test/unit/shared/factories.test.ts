import { describe, expect, it } from 'vitest';
import { requirePrincipal } from '../../../lambdas/shared/auth.js';
import { readJsonBody } from '../../../lambdas/shared/validation.js';
import { apiGatewayEvent, lambdaContext, sqsEvent, sqsRecord } from '../../support/factories.js';

describe('test factories', () => {
  describe('apiGatewayEvent', () => {
    it('builds a payload-2.0 event with a JSON body, lower-cased headers and a query', () => {
      const event = apiGatewayEvent({
        method: 'POST',
        path: '/v1/events?dryRun=1',
        headers: { 'Idempotency-Key': 'k1' },
        body: { type: 'a.b' },
      });
      expect(event.version).toBe('2.0');
      expect(event.rawPath).toBe('/v1/events');
      expect(event.requestContext.http.method).toBe('POST');
      expect(event.queryStringParameters).toEqual({ dryRun: '1' });
      expect(event.headers).toMatchObject({ 'idempotency-key': 'k1', 'content-type': 'application/json' });
      expect(readJsonBody(event)).toEqual({ type: 'a.b' });
    });

    it('carries the authorizer context the routes read', () => {
      const principal = requirePrincipal(
        apiGatewayEvent({ auth: { role: 'tenant', tenantId: 't_1', keyId: 'key_x' } }),
      );
      expect(principal).toMatchObject({ role: 'tenant', tenantId: 't_1', keyId: 'key_x' });
      expect(() => requirePrincipal(apiGatewayEvent())).toThrow(/API key/);
    });
  });

  describe('sqsEvent / sqsRecord', () => {
    it('JSON-encodes bodies and sets attributes and receive counts', () => {
      const event = sqsEvent([
        { body: { id: 'evt_1' }, attributes: { type: 'a.b' }, receiveCount: 3 },
        { body: 'raw' },
      ]);
      expect(event.Records).toHaveLength(2);
      const [first, second] = event.Records;
      expect(JSON.parse(first!.body)).toEqual({ id: 'evt_1' });
      expect(first!.messageAttributes.type).toEqual({ dataType: 'String', stringValue: 'a.b' });
      expect(first!.attributes.ApproximateReceiveCount).toBe('3');
      expect(second!.body).toBe('raw');
      expect(first!.messageId).not.toBe(second!.messageId);
    });

    it('passes a prebuilt record through unchanged', () => {
      const record = sqsRecord({ body: 'x' });
      expect(sqsEvent([record]).Records[0]).toBe(record);
    });
  });

  describe('lambdaContext', () => {
    it('counts the remaining time down', () => {
      const context = lambdaContext({ remainingTimeMs: 5_000, functionName: 'herald-dispatch' });
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(4_000);
      expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(5_000);
      expect(context.invokedFunctionArn).toContain('herald-dispatch');
    });
  });
});
