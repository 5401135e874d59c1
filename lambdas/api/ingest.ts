/**
 * POST /v1/events. Order matters: authenticate, validate the whole request, check the role, and only
 * then record + publish — so nothing is stored or published for a request that fails any check.
 *
 * With an `Idempotency-Key` header the work runs through Powertools idempotency, keyed by tenant +
 * key, with the validated body as the payload hash: the same body answers the stored response (same
 * event id), another body is 422, a concurrent first request still running is 409.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyUnknownError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { requirePrincipal, requirePublisher } from '../shared/auth.js';
import { validateAgainstCatalog } from '../shared/catalog/catalog.js';
import { config } from '../shared/config.js';
import {
  HeraldError,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  TransientError,
} from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { logger, MetricName, MetricUnit, metrics } from '../shared/observability.js';
import { jsonResponse, problemResponse } from '../shared/problem.js';
import { publishEvent } from '../shared/publish.js';
import { readJsonBody, validateEventInput, validateIdempotencyKey } from '../shared/validation.js';
import { idempotencyScope } from './event-identity.js';
import type { ApiEvent } from './router.js';

type EventInput = ReturnType<typeof validateEventInput>;

interface Accepted {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly createdAt: string;
}

/** How long an Idempotency-Key is remembered. */
const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;

async function acceptEvent(input: EventInput, schemaVersion: number | undefined): Promise<Accepted> {
  const event = {
    id: newId('evt'),
    createdAt: new Date().toISOString(),
    ...input,
    ...(schemaVersion !== undefined ? { schemaVersion } : {}),
  };
  await publishEvent(event, 'api');
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
}

const acceptKeyed = (request: KeyedRequest): Promise<Accepted> =>
  acceptEvent(request.input, request.schemaVersion);

// Built at first use so that configuration is read from the environment once, at start-up.
let idempotency:
  | { config: IdempotencyConfig; accept: (request: KeyedRequest) => Promise<Accepted> }
  | undefined;

function idempotentAccept() {
  if (idempotency === undefined) {
    const idempotencyConfig = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'input',
      expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    });
    idempotency = {
      config: idempotencyConfig,
      accept: makeIdempotent(acceptKeyed, {
        // Its own persistence layer: sharing one between idempotent functions mixes up stored results.
        persistenceStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable() }),
        config: idempotencyConfig,
        keyPrefix: 'herald-ingest',
      }),
    };
  }
  return idempotency;
}

function idempotencyProblem(error: unknown): unknown {
  if (error instanceof IdempotencyValidationError) {
    return new IdempotencyKeyReusedError('This Idempotency-Key was already used with a different body');
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new IdempotencyKeyInFlightError('A request with this Idempotency-Key is still in progress; retry');
  }
  if (error instanceof IdempotencyUnknownError) {
    return new TransientError('The idempotency store is unavailable; retry', { cause: error });
  }
  return error;
}

/** API Gateway lower-cases header names; other callers (tests, proxies) may not. */
function header(event: ApiEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

async function handler(event: ApiEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const principal = requirePrincipal(event);
    if (principal.role === 'tenant') requirePublisher(principal, '');
    const input = validateEventInput(readJsonBody(event));
    requirePublisher(principal, input.tenantId);
    const key = validateIdempotencyKey(header(event, 'idempotency-key'));
    const schemaVersion = await validateAgainstCatalog(input.type, input.data);
    let accepted: Accepted;
    if (key === undefined) {
      accepted = await acceptEvent(input, schemaVersion);
    } else {
      const { config: idempotencyConfig, accept } = idempotentAccept();
      idempotencyConfig.registerLambdaContext(context);
      try {
        accepted = await accept({ key: idempotencyScope(input.tenantId, key), input, schemaVersion });
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
