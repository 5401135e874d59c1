/**
 * POST /v1/events (and POST /v1/events/batch, ingest-batch.ts). Order matters: authenticate, validate
 * the whole request (deliverable size included), check the role, and only then publish — so nothing is
 * stored or published for a request that fails any check. These routes have no Lambda authorizer:
 * ingest verifies the key itself with the authorizer's code (authenticate.ts; ADR 0005, amended), one
 * invocation per publish instead of two.
 *
 * Publishing is the commit point (docs/patterns/delivery-semantics.md "No orphan events"): ingest writes
 * no event item; dispatch records the event when the message reaches it. When SNS fails, ingest voids
 * that publish attempt with a tombstone and answers 503 — unless the tombstone finds the event already
 * recorded (the message did go out), when it answers 202.
 *
 * With an `Idempotency-Key` header the work runs through Powertools idempotency, keyed by tenant +
 * key, with the validated body as the payload hash: the same body answers the stored response, another
 * body is 422, a concurrent first request still running is 409. The event id is derived from tenant +
 * key (event-identity.ts), so even a retry the idempotency record no longer covers gets the same id.
 */

import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type Principal, requirePrincipal, requirePublisher } from '../shared/auth.js';
import { validateAgainstCatalog } from '../shared/catalog/catalog.js';
import { HeraldError, TransientError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { HeraldEvent } from '../shared/model.js';
import { logger, MetricName, MetricUnit, metrics } from '../shared/observability.js';
import { jsonResponse, problemResponse } from '../shared/problem.js';
import { publishEvent } from '../shared/publish.js';
import { cancelPublish } from '../shared/store/events.js';
import { readJsonText, validateEventInput, validateIdempotencyKey } from '../shared/validation.js';
import { type Accepted, idempotencyProblem, lazyIdempotentAccept } from './accept.js';
import { authenticate } from './authenticate.js';
import { idempotencyScope, keyedEventId } from './event-identity.js';
import { handleBatch } from './ingest-batch.js';
import { assertDeliverable } from './publish-size.js';
import type { ApiEvent } from './router.js';

type EventInput = ReturnType<typeof validateEventInput>;

async function acceptEvent(
  input: EventInput,
  schemaVersion: number | undefined,
  idempotencyKey?: string,
): Promise<Accepted> {
  const event: HeraldEvent = {
    id: idempotencyKey === undefined ? newId('evt') : keyedEventId(input.tenantId, idempotencyKey),
    createdAt: new Date().toISOString(),
    ...input,
    ...(schemaVersion !== undefined ? { schemaVersion } : {}),
  };
  const publishId = randomUUID();
  try {
    await publishEvent(event, 'api', publishId);
  } catch (error) {
    // Unknown whether SNS took it: void this attempt, unless dispatch has recorded it already.
    if ((await cancelPublish(event.id, publishId, event.createdAt)) === 'cancelled') {
      throw new TransientError('The event could not be published and was not accepted; retry', {
        cause: error,
      });
    }
    logger.warn('publish reported failure but the event was recorded: accepted', { eventId: event.id });
  }
  metrics.addMetric(MetricName.EventsPublished, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return { id: event.id, type: event.type, tenantId: event.tenantId, createdAt: event.createdAt };
}

interface KeyedRequest {
  /** `idempotencyScope(tenantId, Idempotency-Key)`: keys are scoped to the tenant. */
  readonly key: string;
  readonly input: EventInput;
  /** Outside `input`, so it is not part of the payload hash: a compatible schema change is no new body. */
  readonly schemaVersion: number | undefined;
  /** The header itself, outside `key` and `input`: it derives the event id. */
  readonly idempotencyKey: string;
}

const acceptKeyed = (request: KeyedRequest): Promise<Accepted> =>
  acceptEvent(request.input, request.schemaVersion, request.idempotencyKey);

const idempotentAccept = lazyIdempotentAccept(acceptKeyed);

/** API Gateway lower-cases header names; other callers (tests, proxies) may not. */
function header(event: ApiEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * The caller, verified here: the publish routes have no authorizer (ADR 0005, amended), so ingest runs
 * the authorizer's own code and reads its verdict exactly as a route reads the authorizer's context.
 * A context already on the event is not trusted: on these routes nothing but this check produces one.
 */
async function callerOf(event: ApiEvent): Promise<Principal> {
  return requirePrincipal({ requestContext: { authorizer: { lambda: { ...(await authenticate(event)) } } } });
}

const isBatch = (event: ApiEvent): boolean => event.rawPath.replace(/\/+$/, '').endsWith('/v1/events/batch');

async function handler(event: ApiEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const principal = await callerOf(event);
    if (principal.role === 'tenant') requirePublisher(principal, '');
    if (isBatch(event)) return await handleBatch(event, context, principal);
    const body = readJsonText(event);
    const input = validateEventInput(body.value, body.text);
    requirePublisher(principal, input.tenantId);
    const key = validateIdempotencyKey(header(event, 'idempotency-key'));
    const schemaVersion = await validateAgainstCatalog(input.type, input.data, input.dataJson);
    assertDeliverable({ ...input, ...(schemaVersion !== undefined ? { schemaVersion } : {}) });
    let accepted: Accepted;
    if (key === undefined) {
      accepted = await acceptEvent(input, schemaVersion);
    } else {
      const { config: idempotencyConfig, accept } = idempotentAccept();
      idempotencyConfig.registerLambdaContext(context);
      try {
        accepted = await accept({
          key: idempotencyScope(input.tenantId, key),
          input,
          schemaVersion,
          idempotencyKey: key,
        });
      } catch (error) {
        throw idempotencyProblem(error);
      }
    }
    return jsonResponse(202, accepted);
  } catch (error) {
    if (!(error instanceof HeraldError) || error.status >= 500) {
      logger.error('POST /v1/events failed', { error });
    }
    return problemResponse(error, event.rawPath);
  }
}

export { handler };
