/**
 * Replay: deliver events again. One redeliver request per (event, endpoint), so the answer can say
 * exactly how many deliveries were requested. Endpoints are those that match the event now (enabled,
 * event type matches) unless one is named; bulk replay with `status` picks the event's deliveries in that
 * state instead. Every path respects each endpoint's payload filter as it is at replay time (adrs/0010):
 * an endpoint whose filter now turns the event away gets nothing.
 */
import { type Principal, requireManager, requireTenantVisible, resolveTenant } from '../../shared/auth.js';
import { config } from '../../shared/config.js';
import { budgetRefusal } from '../../shared/delivery-budget.js';
import { InvalidRequestError, NotFoundError, RateLimitedError } from '../../shared/errors.js';
import { DEFAULT_LIMITS, limitDetail, windowAt } from '../../shared/limits.js';
import { type RedeliverMessage, replayOf } from '../../shared/messages.js';
import type { EndpointRecord } from '../../shared/model.js';
import { jsonResponse } from '../../shared/problem.js';
import { takeDeliveryBudget } from '../../shared/store/delivery-budget.js';
import { getDeliveries } from '../../shared/store/delivery-history.js';
import { listTenantEndpoints } from '../../shared/store/endpoint-cache.js';
import { getEndpoint } from '../../shared/store/endpoints.js';
import { listEvents, type StoredEvent } from '../../shared/store/events.js';
import { takeReplayCall } from '../../shared/store/limits.js';
import type { StoreKey } from '../../shared/store/table.js';
import { MAX_TENANT_ID_LENGTH } from '../../shared/validation.js';
import { endpointWants } from '../../webhooks/filter/evaluate.js';
import { receiversOf } from '../../webhooks/matching.js';
import {
  optionalInstant,
  optionalJsonObject,
  optionalString,
  rejectUnknownFields,
  requiredString,
  requireJsonObject,
} from '../http.js';
import { sendRedeliveries } from '../redeliver.js';
import { type Route, route } from '../router.js';
import { visibleEvent } from './events.js';

const DELIVERY_STATES = ['pending', 'delivered', 'retrying', 'failed', 'skipped'] as const;
/** Bounds one bulk request so it finishes well inside the Lambda timeout; narrow the window for more. */
const MAX_BULK_EVENTS = DEFAULT_LIMITS.replayEventsPerCall;
/** Events one call reads at most, matched or not; past it (or the time budget) the answer is `truncated`. */
const MAX_BULK_EXAMINED = 20 * MAX_BULK_EVENTS;
/** Reading stops after this long, well inside the API's 29 s. */
const BULK_READ_BUDGET_MS = 15_000;

/**
 * Counts the call against the tenant's bulk replays this minute (docs/api.md "Limits"). Over it: 429
 * with Retry-After until the next minute, code `limit_exceeded` — a rate clears by itself, so the
 * status says "later" (clients back off on 429), where a 403 would say "never".
 */
async function takeReplaySlot(tenantId: string): Promise<void> {
  const limit = config.maxReplayCallsPerMinute();
  const window = windowAt(new Date());
  const taken = await takeReplayCall(tenantId, window, limit);
  if (!taken.ok) {
    throw new RateLimitedError(
      `At most ${limit} bulk replays per minute per tenant; ${tenantId} has made ${taken.current} this minute. Retry after ${window.retryAfterSeconds} s, or replay a wider window in one call`,
      window.retryAfterSeconds,
      {
        detail: {
          ...limitDetail('replayCallsPerMinute', limit, taken.current),
          retryAfterSeconds: window.retryAfterSeconds,
        },
      },
    );
  }
}

/** The named endpoint, if the caller may see it and it belongs to the event's tenant. */
async function namedEndpoint(
  principal: Principal,
  endpointId: string,
  tenantId: string,
): Promise<EndpointRecord> {
  const endpoint = await getEndpoint(endpointId);
  if (endpoint === undefined || endpoint.tenantId !== tenantId) throw new NotFoundError('Endpoint not found');
  requireTenantVisible(principal, endpoint.tenantId, 'Endpoint');
  return endpoint;
}

const replayEvent = route('POST', '/v1/events/{id}/replay', async (request) => {
  const event = await visibleEvent(request);
  const body = optionalJsonObject(request.event);
  rejectUnknownFields(body, ['endpointId']);
  const endpointId = optionalString(body, 'endpointId', 64);
  const endpoints =
    endpointId !== undefined
      ? [await namedEndpoint(request.principal, endpointId, event.tenantId)].filter((ep) =>
          endpointWants(ep.filter, event),
        )
      : receiversOf(await listTenantEndpoints(event.tenantId), event).deliver;
  // One delivery per endpoint, counted whole against the tenant's budget before any is queued.
  if (endpoints.length > 0) {
    const take = await takeDeliveryBudget(event.tenantId, endpoints.length, 'all');
    if (take.granted === 0) throw budgetRefusal(event.tenantId, take, 'replay');
  }
  const { sent, failed } = await sendRedeliveries(endpoints.map((ep) => replayOf(event.id, ep.id)));
  return jsonResponse(202, { replayed: sent, failed });
});

async function requestsFor(
  event: StoredEvent,
  filter: { endpointId?: string; statuses?: readonly string[]; throughBacklog: boolean },
  tenantEndpoints: () => Promise<EndpointRecord[]>,
): Promise<RedeliverMessage[]> {
  if (filter.statuses !== undefined) {
    const deliveries = await getDeliveries(event.id);
    const wanting = new Set(
      (await tenantEndpoints()).filter((ep) => endpointWants(ep.filter, event)).map((ep) => ep.id),
    );
    return deliveries
      .filter((d) => filter.statuses!.includes(d.state) && wanting.has(d.endpointId))
      .filter((d) => filter.endpointId === undefined || d.endpointId === filter.endpointId)
      .map((d) => replayOf(event.id, d.endpointId, filter.throughBacklog));
  }
  return receiversOf(await tenantEndpoints(), event)
    .deliver.filter((ep) => filter.endpointId === undefined || ep.id === filter.endpointId)
    .map((ep) => replayOf(event.id, ep.id, filter.throughBacklog));
}

/** `status`: one delivery state or a list of them (`["skipped", "failed"]`: what an endpoint missed). */
function statusesOf(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (
    list.length === 0 ||
    list.some((s) => typeof s !== 'string' || !(DELIVERY_STATES as readonly string[]).includes(s))
  ) {
    throw new InvalidRequestError(
      `"status" must be one of ${DELIVERY_STATES.join(', ')}, or a list of them`,
      {
        detail: { field: 'status' },
      },
    );
  }
  return list as string[];
}

function optionalFlag(body: Record<string, unknown>, field: string): boolean {
  const value = body[field];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new InvalidRequestError(`"${field}" must be a boolean`, { detail: { field } });
  }
  return value;
}

const bulkReplay = route('POST', '/v1/replay', async ({ event, principal }) => {
  requireManager(principal);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, [
    'tenantId',
    'since',
    'until',
    'endpointId',
    'status',
    'throughBacklog',
    'dryRun',
  ]);
  const tenantId = resolveTenant(principal, optionalString(body, 'tenantId', MAX_TENANT_ID_LENGTH), 'Tenant');
  requiredString(body, 'since', 64);
  requiredString(body, 'until', 64);
  const since = optionalInstant(body, 'since')!;
  const until = optionalInstant(body, 'until')!;
  if (since >= until) {
    throw new InvalidRequestError('"since" must be before "until"', { detail: { field: 'since' } });
  }
  const statuses = statusesOf(body.status);
  const endpointId = optionalString(body, 'endpointId', 64);
  // Through the endpoint's backlog (adrs/0011): everything it missed, delivered gently, in order.
  const throughBacklog = optionalFlag(body, 'throughBacklog');
  // Count what would be replayed, send nothing (no delivery budget taken).
  const dryRun = optionalFlag(body, 'dryRun');
  if (throughBacklog && endpointId === undefined) {
    throw new InvalidRequestError('"throughBacklog" needs "endpointId": the backlog is one endpoint\'s', {
      detail: { field: 'throughBacklog' },
    });
  }
  if (endpointId !== undefined) await namedEndpoint(principal, endpointId, tenantId);
  // Counted once the request is valid, so a malformed call does not use up the tenant's minute.
  await takeReplaySlot(tenantId);

  // The tenant's endpoints are read once for the whole window, at the first event that needs them.
  let endpoints: Promise<EndpointRecord[]> | undefined;
  const tenantEndpoints = (): Promise<EndpointRecord[]> => {
    endpoints ??= listTenantEndpoints(tenantId);
    return endpoints;
  };

  // The cap counts the events the filter keeps (those that get a redelivery), so a window where few
  // match is not cut short by the ones that do not; reading is bounded apart, by count and by time.
  const deadline = Date.now() + BULK_READ_BUDGET_MS;
  let events = 0;
  let examined = 0;
  let replayed = 0;
  let failed = 0;
  let wouldReplay = 0;
  let startKey: StoreKey | undefined;
  /** Set when the tenant's delivery budget ran out mid-call: seconds until it refills. */
  let budgetRetryAfter: number | undefined;
  do {
    const page = await listEvents(tenantId, {
      since,
      until,
      // Never more than the cap still allows: a page cannot keep more events than it reads.
      limit: Math.min(100, MAX_BULK_EVENTS - events),
      ...(startKey ? { startKey } : {}),
    });
    const requests: RedeliverMessage[] = [];
    for (const stored of page.items) {
      const forEvent = await requestsFor(
        stored,
        { ...(endpointId ? { endpointId } : {}), ...(statuses ? { statuses } : {}), throughBacklog },
        tenantEndpoints,
      );
      if (forEvent.length > 0) events += 1;
      requests.push(...forEvent);
    }
    if (dryRun) {
      wouldReplay += requests.length;
      examined += page.items.length;
      startKey = page.lastEvaluatedKey;
      continue;
    }
    // As much of the page as the tenant's delivery budget allows; the rest is for a later call.
    const take =
      requests.length === 0 ? undefined : await takeDeliveryBudget(tenantId, requests.length, 'some');
    if (take !== undefined && take.granted === 0 && replayed + failed === 0) {
      throw budgetRefusal(tenantId, take, 'bulk-replay');
    }
    const result = await sendRedeliveries(requests.slice(0, take?.granted ?? 0));
    replayed += result.sent;
    failed += result.failed;
    if (take !== undefined && take.granted < requests.length) {
      budgetRetryAfter = take.retryAfterSeconds;
      break;
    }
    examined += page.items.length;
    startKey = page.lastEvaluatedKey;
  } while (
    startKey !== undefined &&
    events < MAX_BULK_EVENTS &&
    examined < MAX_BULK_EXAMINED &&
    Date.now() < deadline
  );
  if (dryRun) {
    return jsonResponse(200, {
      dryRun: true,
      wouldReplay,
      events,
      examined,
      truncated: startKey !== undefined,
    });
  }
  return jsonResponse(202, {
    replayed,
    failed,
    events,
    examined,
    truncated: startKey !== undefined || budgetRetryAfter !== undefined,
    ...(budgetRetryAfter !== undefined ? { retryAfterSeconds: budgetRetryAfter } : {}),
  });
});

const replayRoutes: readonly Route[] = [replayEvent, bulkReplay];

export { replayRoutes };
