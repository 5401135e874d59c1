/**
 * GET /v1/endpoints/{id}/activity?hours=24 — the endpoint's last hours, one row an hour, oldest first
 * and every hour present: deliveries that ended delivered or failed, and the largest backlog seen.
 * Telemetry for the portal's chart (lambdas/shared/store/endpoint-activity.ts says what it may miss);
 * the deliveries themselves are the record.
 */
import { requireManager, requireTenantVisible } from '../../shared/auth.js';
import { InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/problem.js';
import { activityHours, type HourActivity } from '../../shared/store/endpoint-activity.js';
import { getEndpoint } from '../../shared/store/endpoints.js';
import { type Route, route } from '../router.js';

const HOUR_MS = 3_600_000;
const DEFAULT_HOURS = 24;
/** The items live two days past their hour; the API reads no further back. */
const MAX_HOURS = 48;

interface ActivityHourView {
  readonly hour: string;
  readonly delivered: number;
  readonly failed: number;
  readonly backlog: number;
}

function hoursOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_HOURS;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 1 || value > MAX_HOURS) {
    throw new InvalidRequestError(`"hours" must be an integer from 1 to ${MAX_HOURS}`, {
      detail: { field: 'hours' },
    });
  }
  return value;
}

/** The `hours` hours ending with the current one, zeros where nothing was stored (pure). */
function activitySeries(stored: readonly HourActivity[], nowMs: number, hours: number): ActivityHourView[] {
  const byHour = new Map(stored.map((row) => [row.hour, row]));
  const last = Math.floor(nowMs / HOUR_MS);
  return Array.from({ length: hours }, (_, i) => {
    const hour = last - hours + 1 + i;
    const row = byHour.get(hour);
    return {
      hour: new Date(hour * HOUR_MS).toISOString().replace('.000Z', 'Z'),
      delivered: row?.delivered ?? 0,
      failed: row?.failed ?? 0,
      backlog: row?.backlog ?? 0,
    };
  });
}

const readActivity = route('GET', '/v1/endpoints/{id}/activity', async ({ principal, params, query }) => {
  requireManager(principal);
  const hours = hoursOf(query.hours);
  const endpoint = await getEndpoint(params.id!);
  if (endpoint === undefined) throw new NotFoundError('Endpoint not found');
  requireTenantVisible(principal, endpoint.tenantId, 'Endpoint');
  const now = Date.now();
  const last = Math.floor(now / HOUR_MS);
  const stored = await activityHours(endpoint.id, last - hours + 1, last);
  return jsonResponse(200, { endpointId: endpoint.id, hours: activitySeries(stored, now, hours) });
});

const endpointActivityRoutes: readonly Route[] = [readActivity];

export { activitySeries, endpointActivityRoutes };
