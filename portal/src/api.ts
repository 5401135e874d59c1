/**
 * The portal's one API module: a typed client of the public /v1 API (types generated from
 * openapi/openapi.json into api-types.ts). The session is an HttpOnly cookie the browser sends by
 * itself; nothing here stores a token. Every failure becomes an ApiError carrying the problem document.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './api-types';
import { parseKeepingNumbers } from './raw-numbers';

type Schemas = components['schemas'];

type Endpoint = Schemas['Endpoint'];
type EndpointInput = Schemas['EndpointInput'];
type EndpointPatch = Schemas['EndpointPatch'];
type HeraldEvent = Schemas['Event'];
type Delivery = Schemas['Delivery'];
type Attempt = Schemas['Attempt'];
type DeliveryState = Delivery['state'];
type Problem = Schemas['Problem'];
type PortalSession = Schemas['PortalSession'];
type FilterPreview = Schemas['FilterPreview'];
type EndpointActivity = Schemas['EndpointActivity'];
type BulkReplayDryRun = Schemas['BulkReplayDryRun'];
type ReplayResult = Schemas['ReplayResult'];

/** A catalog entry; the list answers summaries, GET /v1/event-types/{name} adds schema and examples. */
type EventType = Schemas['EventType'];

class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> & { reason?: string },
  ) {
    super(problem.detail ?? `The API answered ${status}`);
  }
}

const client = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });

/** Called on any 401 after sign-in, so the page can say the session ended. */
let onUnauthorized: (error: ApiError) => void = () => undefined;
function setUnauthorizedHandler(handler: (error: ApiError) => void): void {
  onUnauthorized = handler;
}

async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const failure = new ApiError(response.status, (error ?? {}) as Partial<Problem>);
  if (response.status === 401) onUnauthorized(failure);
  throw failure;
}

/** The one call that delivers what an endpoint missed, through its backlog's gentle drain (adrs/0011). */
function missedBody(endpointId: string, since: string, until: string): Schemas['BulkReplayInput'] {
  return { endpointId, since, until, status: ['skipped', 'failed'], throughBacklog: true };
}

const api = {
  /** Exchanges a magic link's token for the session cookie. */
  openSession: (token: string) =>
    unwrap(client.POST('/v1/portal-session', { body: { token } })) as Promise<PortalSession>,
  session: () => unwrap(client.GET('/v1/portal-session')) as Promise<PortalSession>,
  signOut: () => unwrap(client.DELETE('/v1/portal-session')),

  endpoints: () =>
    unwrap(client.GET('/v1/endpoints', { params: { query: { limit: 100 } } })) as Promise<{
      items: Endpoint[];
      nextCursor?: string;
    }>,
  endpoint: (id: string) =>
    unwrap(client.GET('/v1/endpoints/{id}', { params: { path: { id } } })) as Promise<Endpoint>,
  createEndpoint: (body: EndpointInput) =>
    unwrap(client.POST('/v1/endpoints', { body })) as Promise<Endpoint & { secret: string }>,
  updateEndpoint: (id: string, body: EndpointPatch) =>
    unwrap(client.PATCH('/v1/endpoints/{id}', { params: { path: { id } }, body })) as Promise<Endpoint>,
  deleteEndpoint: (id: string) => unwrap(client.DELETE('/v1/endpoints/{id}', { params: { path: { id } } })),
  rotateSecret: (id: string) =>
    unwrap(client.POST('/v1/endpoints/{id}/rotate-secret', { params: { path: { id } } })),
  sendTest: (id: string) => unwrap(client.POST('/v1/endpoints/{id}/test', { params: { path: { id } } })),
  /** The endpoint's last `hours` hours, one row an hour, oldest first. */
  activity: (id: string, hours = 24) =>
    unwrap(
      client.GET('/v1/endpoints/{id}/activity', { params: { path: { id }, query: { hours } } }),
    ) as Promise<EndpointActivity>,
  previewFilter: (id: string, filter: Record<string, unknown> | null) =>
    unwrap(
      client.POST('/v1/endpoints/{id}/filter-preview', { params: { path: { id } }, body: { filter } }),
    ) as Promise<FilterPreview>,

  events: (query: { since?: string; until?: string; type?: string; cursor?: string }) =>
    unwrap(
      client.GET('/v1/events', { params: { query: { ...query, order: 'desc', limit: 25 } } }),
    ) as Promise<{ items: HeraldEvent[]; nextCursor?: string }>,
  // Read as text, so `data` keeps its numbers as written (raw-numbers.ts).
  event: (id: string) =>
    unwrap(client.GET('/v1/events/{id}', { params: { path: { id } }, parseAs: 'text' })).then((text) =>
      parseKeepingNumbers(text as unknown as string),
    ) as Promise<HeraldEvent & { deliveries: Delivery[] }>,
  attempts: (id: string) =>
    unwrap(
      client.GET('/v1/events/{id}/deliveries', { params: { path: { id }, query: { limit: 100 } } }),
    ) as Promise<{ items: Attempt[]; deliveries: Delivery[]; nextCursor?: string }>,
  replayEvent: (id: string, endpointId?: string) =>
    unwrap(
      client.POST('/v1/events/{id}/replay', {
        params: { path: { id } },
        ...(endpointId ? { body: { endpointId } } : {}),
      }),
    ),
  bulkReplay: (body: Schemas['BulkReplayInput']) => unwrap(client.POST('/v1/replay', { body })),
  /** What an endpoint missed (skipped while disabled, failed) since a time: counted, or delivered gently. */
  countMissed: (endpointId: string, since: string, until: string) =>
    unwrap(
      client.POST('/v1/replay', { body: { ...missedBody(endpointId, since, until), dryRun: true } }),
    ) as Promise<BulkReplayDryRun>,
  deliverMissed: (endpointId: string, since: string, until: string) =>
    unwrap(
      client.POST('/v1/replay', { body: missedBody(endpointId, since, until) }),
    ) as Promise<ReplayResult>,

  /** The catalog, or undefined where the deployment has none (the route answers 404). */
  eventTypes: async (): Promise<EventType[] | undefined> => {
    try {
      const page = await unwrap(client.GET('/v1/event-types', { params: { query: { limit: 100 } } }));
      return page.items as EventType[];
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  },
  eventType: (name: string) =>
    unwrap(client.GET('/v1/event-types/{name}', { params: { path: { name } } })) as Promise<EventType>,
};

const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'retrying', 'failed', 'skipped'];

export type {
  Attempt,
  Delivery,
  DeliveryState,
  Endpoint,
  EndpointActivity,
  EventType,
  FilterPreview,
  HeraldEvent,
  PortalSession,
};
export { ApiError, api, DELIVERY_STATES, setUnauthorizedHandler };
