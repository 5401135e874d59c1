/**
 * POST /v1/endpoints/{id}/filter-preview — a candidate filter run over the tenant's most recent events
 * of the types the endpoint subscribes to, newest first: how many of the last `limit` it would have
 * let through, with a few of them. Checked exactly as a save checks it (`400 invalid_filter`), so the
 * portal shows the refusal and the count from one call. Reads only: nothing is saved.
 */
import { requireManager, requireTenantVisible } from '../../shared/auth.js';
import { InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import { getEndpoint } from '../../shared/store/endpoints.js';
import { listEvents } from '../../shared/store/events.js';
import type { StoreKey } from '../../shared/store/table.js';
import { matchesFilter } from '../../webhooks/filter/evaluate.js';
import { matchesAny } from '../../webhooks/matching.js';
import { checkedFilter } from '../endpoint-filter.js';
import { EventViews } from '../event-views.js';
import { rejectUnknownFields, requireJsonObject } from '../http.js';
import { type Route, route } from '../router.js';

const DEFAULT_EXAMINED = 100;
const MAX_EXAMINED = 200;
const MAX_EXAMPLES = 5;
/** Events read at most, subscribed or not: a tenant whose recent events are all of other types ends here. */
const MAX_READ = 1000;

function limitOf(value: unknown): number {
  if (value === undefined) return DEFAULT_EXAMINED;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_EXAMINED) {
    throw new InvalidRequestError(`"limit" must be an integer from 1 to ${MAX_EXAMINED}`, {
      detail: { field: 'limit' },
    });
  }
  return value;
}

const previewFilter = route(
  'POST',
  '/v1/endpoints/{id}/filter-preview',
  async ({ event, principal, params }) => {
    requireManager(principal);
    const body = requireJsonObject(event);
    rejectUnknownFields(body, ['filter', 'limit']);
    if (!('filter' in body)) {
      throw new InvalidRequestError('Send "filter": the candidate filter, or null for none', {
        detail: { field: 'filter' },
      });
    }
    const limit = limitOf(body.limit);
    const endpoint = await getEndpoint(params.id!);
    if (endpoint === undefined) throw new NotFoundError('Endpoint not found');
    requireTenantVisible(principal, endpoint.tenantId, 'Endpoint');
    const checked =
      body.filter === null
        ? undefined
        : await checkedFilter(body.filter, endpoint.tenantId, endpoint.eventTypes);
    let examined = 0;
    let matched = 0;
    let read = 0;
    const examples = [];
    const views = new EventViews();
    let startKey: StoreKey | undefined;
    do {
      const page = await listEvents(endpoint.tenantId, {
        limit: Math.min(100, MAX_READ - read),
        newestFirst: true,
        ...(startKey ? { startKey } : {}),
      });
      read += page.items.length;
      for (const e of page.items) {
        if (examined === limit) break;
        if (!matchesAny(endpoint.eventTypes, e.type)) continue;
        examined += 1;
        if (checked !== undefined && !matchesFilter(checked.parsed, e)) continue;
        matched += 1;
        if (examples.length < MAX_EXAMPLES) examples.push(views.view(e));
      }
      startKey = page.lastEvaluatedKey;
    } while (startKey !== undefined && examined < limit && read < MAX_READ);
    return views.response(200, {
      examined,
      matched,
      examples,
      ...(checked !== undefined && checked.warnings.length > 0 ? { warnings: checked.warnings } : {}),
    });
  },
);

const filterPreviewRoutes: readonly Route[] = [previewFilter];

export { filterPreviewRoutes };
