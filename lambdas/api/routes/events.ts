/** /v1/events reads: one event with its delivery summary, its attempts, and a tenant's events by time. */
import { requireManager, requireTenantVisible, resolveTenant } from '../../shared/auth.js';
import { NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/problem.js';
import { getEvent, listEvents, type StoredEvent } from '../../shared/store/events.js';
import { attemptsOf, deliveriesOf } from '../deliveries-view.js';
import { decodeCursor, listBody, optionalInstant, parseLimit } from '../http.js';
import { type AuthedRequest, type Route, route } from '../router.js';

async function visibleEvent({ principal, params }: AuthedRequest): Promise<StoredEvent> {
  requireManager(principal);
  const event = await getEvent(params.id!);
  if (event === undefined) throw new NotFoundError('Event not found');
  requireTenantVisible(principal, event.tenantId, 'Event');
  return event;
}

const readEvent = route('GET', '/v1/events/{id}', async (request) => {
  const event = await visibleEvent(request);
  return jsonResponse(200, { ...event, deliveries: await deliveriesOf(event.id) });
});

const readDeliveries = route('GET', '/v1/events/{id}/deliveries', async (request) => {
  const event = await visibleEvent(request);
  const startKey = decodeCursor(request.query.cursor);
  const [page, deliveries] = await Promise.all([
    attemptsOf(event.id, { limit: parseLimit(request.query.limit), ...(startKey ? { startKey } : {}) }),
    deliveriesOf(event.id),
  ]);
  // Each attempt carries its delivery's current (final once settled) state.
  const stateOf = new Map(deliveries.map((d) => [d.endpointId, d.state]));
  const items = page.items.map((attempt) => ({
    ...attempt,
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
  const page = await listEvents(tenantId, {
    limit: parseLimit(query.limit),
    ...(startKey ? { startKey } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  });
  return jsonResponse(200, listBody(page.items, page.lastEvaluatedKey));
});

const eventRoutes: readonly Route[] = [readEvent, readDeliveries, listTenantEvents];

export { eventRoutes, visibleEvent };
