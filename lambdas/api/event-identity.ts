/**
 * What names an event published through POST /v1/events: the tenant-scoped idempotency record key and,
 * when the client sent an Idempotency-Key, the event id itself.
 *
 * Components are escaped (compositeKey), so tenant `a#b` + key `c` and tenant `a` + key `b#c` never
 * share a record or an id.
 *
 * With a key, the id is derived from (tenant, key) — SHA-256 under a fixed domain label, as 26 Crockford
 * base32 characters (130 bits), so `evt_` + 26 characters like every other id. A client retrying after a
 * crash, an expired idempotency record or a failed first attempt always gets the same id, which receivers
 * dedupe on. The price: such ids are not time-ordered (a ULID's time prefix cannot be derived from the
 * key). Nothing orders by event id — lists sort on `<createdAt>#<id>` — and ids without a key stay ULIDs.
 */
import { createHash } from 'node:crypto';
import { compositeKey } from '../shared/store/table.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Versioned, so a future derivation cannot collide with this one. */
const DOMAIN = 'herald.event-id.v1';

/** The Powertools idempotency key of (tenant, Idempotency-Key). */
function idempotencyScope(tenantId: string, idempotencyKey: string): string {
  return compositeKey(tenantId, idempotencyKey);
}

/** `evt_` + 26 base32 characters of SHA-256(domain, tenant, key): the same (tenant, key), the same id. */
function keyedEventId(tenantId: string, idempotencyKey: string): string {
  const digest = createHash('sha256')
    .update(compositeKey(DOMAIN, tenantId, idempotencyKey))
    .digest();
  // 26 × 5 = 130 bits, read big-endian from the digest.
  let out = '';
  let bits = 0;
  let buffer = 0;
  for (const byte of digest) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += CROCKFORD[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length === 26) break;
  }
  return `evt_${out}`;
}

export { idempotencyScope, keyedEventId };
