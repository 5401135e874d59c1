/**
 * A tenant's endpoints as dispatch sees them: read through gsi1 (every page) and reused per container
 * for `HERALD_ENDPOINT_CACHE_SECONDS` (default 5). At a steady rate a dispatcher queries each tenant's
 * endpoints once per 5 s instead of once per event (docs/internals.md "What is cached").
 *
 * The staleness this allows, bounded by the TTL: an endpoint created, changed (URL, filter, disabled,
 * secret rotated) or deleted up to 5 s ago may be dispatched to as it was. A disabled endpoint gets no
 * delivery from an event dispatched more than 5 s after the PATCH answered (test/handlers/webhooks/
 * endpoint-cache.test.ts). Replays and redrives read fresh (`listTenantEndpoints`), and gsi1 is
 * eventually consistent anyway, so the uncached read was never instant either.
 *
 * Concurrent misses for one tenant share one query (the promise is cached), so a burst after expiry
 * costs one read, not one per record in flight.
 */
import { config } from '../config.js';
import type { EndpointRecord } from '../model.js';
import { TtlCache } from '../ttl-cache.js';
import { listEndpoints } from './endpoints.js';
import type { StoreKey } from './table.js';

/** Every endpoint of the tenant, enabled or not, all pages (uncached). */
async function listTenantEndpoints(tenantId: string): Promise<EndpointRecord[]> {
  const all: EndpointRecord[] = [];
  let startKey: StoreKey | undefined;
  do {
    const page = await listEndpoints(tenantId, { limit: 100, ...(startKey ? { startKey } : {}) });
    all.push(...page.items);
    startKey = page.lastEvaluatedKey;
  } while (startKey !== undefined);
  return all;
}

// Built at first use, so the TTL is read from the environment once.
let cache: TtlCache<Promise<EndpointRecord[]>> | undefined;

/** The tenant's endpoints, at most `HERALD_ENDPOINT_CACHE_SECONDS` old. */
function cachedTenantEndpoints(tenantId: string, now: number = Date.now()): Promise<EndpointRecord[]> {
  cache ??= new TtlCache({ ttlMs: config.endpointCacheMs(), maxEntries: 1000 });
  const hit = cache.get(tenantId, now);
  if (hit !== undefined) return hit;
  const read = listTenantEndpoints(tenantId);
  const entries = cache;
  entries.set(tenantId, read, now);
  // A failed read is not remembered: the next record tries again.
  read.catch(() => entries.delete(tenantId));
  return read;
}

/** Forgets every cached list (tests). */
function clearEndpointCache(): void {
  cache?.clear();
}

export { cachedTenantEndpoints, clearEndpointCache, listTenantEndpoints };
