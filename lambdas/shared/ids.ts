/**
 * Time-sortable identifiers: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), so
 * ids sort by creation time as DynamoDB sort keys, and a prefix that says what the id names.
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

type IdPrefix = 'evt' | 'ep' | 'key' | 'rpl';

function encodeTime(now: number): string {
  if (!Number.isInteger(now) || now < 0 || now > MAX_TIME) {
    throw new RangeError(`ULID time must be an integer from 0 to ${MAX_TIME}, got ${now}`);
  }
  let out = '';
  let rest = now;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(): string {
  // 16 chars × 5 bits = 80 bits; each byte's low 5 bits are uniform because 256 is a multiple of 32.
  const bytes = randomBytes(RANDOM_CHARS);
  let out = '';
  for (const byte of bytes) out += CROCKFORD[byte & 31];
  return out;
}

/** A 26-character ULID for the given time (default: now). */
function ulid(now: number = Date.now()): string {
  return encodeTime(now) + encodeRandom();
}

/** `<prefix>_<ULID>`, e.g. `evt_01J9Z3...`. */
function newId(prefix: IdPrefix, now?: number): string {
  return `${prefix}_${ulid(now)}`;
}

/** The millisecond time encoded in a ULID, or undefined when it is not one. */
function ulidTime(id: string): number | undefined {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return undefined;
  let time = 0;
  for (const char of id.slice(0, TIME_CHARS)) time = time * 32 + CROCKFORD.indexOf(char);
  return time <= MAX_TIME ? time : undefined;
}

export type { IdPrefix };
export { newId, ulid, ulidTime };
