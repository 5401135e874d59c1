/**
 * What names an event published through POST /v1/events: the tenant-scoped idempotency record key.
 * Components are escaped (compositeKey), so tenant `a#b` + key `c` and tenant `a` + key `b#c` never
 * share a record.
 */
import { compositeKey } from '../shared/store/table.js';

/** The Powertools idempotency key of (tenant, Idempotency-Key). */
function idempotencyScope(tenantId: string, idempotencyKey: string): string {
  return compositeKey(tenantId, idempotencyKey);
}

export { idempotencyScope };
