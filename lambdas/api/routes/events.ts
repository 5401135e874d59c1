/** /v1/events reads: one event with its delivery summary, its attempts, and a tenant's events by time. */
import { requireManager, requireTenantVisible, resolveTenant } from '../../shared/auth.js';
import { InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import type { AttemptRecord, DeliveryRecord } from '../../shared/model.js';
import { jsonResponse } from '../../shared/problem.js';
import { getDeliveries, listAttempts } from '../../shared/store/delivery-history.js';
import { getEvent, listEvents, type StoredEvent } from '../../shared/store/events.js';
import { listJobRuns } from '../../shared/store/job-runs.js';
import { EventViews } from '../event-views.js';
import { decodeCursor, listBody, optionalInstant, optionalString, parseLimit } from '../http.js';
import { type AuthedRequest, type Route, route } from '../router.js';

/**
 * What the API shows of a delivery and of an attempt: an allow-list, so the store's bookkeeping
 * (lease, dead-letter mark, tenant, keys) never reaches a response.
 */
const DELIVERY_FIELDS = [
  'endpointId',
  'state',
  'generation',
  'attempts',
  'lastStatusCode',
  'lastError',
  'nextAttemptAt',
  'deliveredAt',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof DeliveryRecord)[];
const ATTEMPT_FIELDS = [
  'endpointId',
  'generation',
  'attempt',
  'at',
  'statusCode',
  'errorClass',
  'durationMs',
  'outcome',
  'nextAttemptAt',
  'waitReason',
  'location',
  'responseBody',
] as const satisfies readonly (keyof AttemptRecord)[];

type DeliveryView = Pick<DeliveryRecord, (typeof DELIVERY_FIELDS)[number]>;
type AttemptView = Pick<AttemptRecord, (typeof ATTEMPT_FIELDS)[number]>;

function pick<T extends object, K extends keyof T>(source: T, fields: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const field of fields) if (source[field] !== undefined) out[field] = source[field];
  return out as Pick<T, K>;
}

async function deliveryViews(eventId: string): Promise<DeliveryView[]> {
  return (await getDeliveries(eventId)).map((d) => pick(d, DELIVERY_FIELDS));
}

async function visibleEvent({ principal, params }: AuthedRequest): Promise<StoredEvent> {
  requireManager(principal);
  const event = await getEvent(params.id!);
  if (event === undefined) throw new NotFoundError('Event not found');
  requireTenantVisible(principal, event.tenantId, 'Event');
  return event;
}

const readEvent = route('GET', '/v1/events/{id}', async (request) => {
  const event = await visibleEvent(request);
  const views = new EventViews();
  const [deliveries, runs] = await Promise.all([deliveryViews(event.id), listJobRuns(event.id)]);
  // A job's error is Herald's own business: only an admin key sees its class and message.
  const admin = request.principal.role === 'admin';
  const jobs = runs.map(({ errorClass, error, ...run }) => (admin ? { ...run, errorClass, error } : run));
  return views.response(200, { ...views.view(event), jobs, deliveries });
});

const readDeliveries = route('GET', '/v1/events/{id}/deliveries', async (request) => {
  const event = await visibleEvent(request);
  const startKey = decodeCursor(request.query.cursor);
  const [page, deliveries] = await Promise.all([
    listAttempts(event.id, { limit: parseLimit(request.query.limit), ...(startKey ? { startKey } : {}) }),
    deliveryViews(event.id),
  ]);
  // Each attempt carries its delivery's current (final once settled) state.
  const stateOf = new Map(deliveries.map((d) => [d.endpointId, d.state]));
  const items = page.items.map((attempt): AttemptView & { state: string } => ({
    ...pick(attempt, ATTEMPT_FIELDS),
    state: stateOf.get(attempt.endpointId) ?? 'pending',
  }));
  return jsonResponse(200, { ...listBody(items, page.lastEvaluatedKey), deliveries });
});

const listTenantEvents = route('GET', '/v1/events', async ({ principal, query }) => {
  requireManager(principal);
  const tenantId = resolveTenant(principal, query.tenantId, 'Tenant');
  const since = optionalInstant(query, 'since');
  const until = optionalInstant(query, 'until');
  const startKey = decodeCursor(query.cursor);
  const type = optionalString(query, 'type', 128);
  if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') {
    throw new InvalidRequestError('"order" must be asc or desc', { detail: { field: 'order' } });
  }
  const page = await listEvents(tenantId, {
    limit: parseLimit(query.limit),
    ...(startKey ? { startKey } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(type ? { type } : {}),
    newestFirst: query.order === 'desc',
  });
  const views = new EventViews();
  return views.response(
    200,
    listBody(
      page.items.map((e) => views.view(e)),
      page.lastEvaluatedKey,
    ),
  );
});

const eventRoutes: readonly Route[] = [readEvent, readDeliveries, listTenantEvents];

export { eventRoutes, visibleEvent };
