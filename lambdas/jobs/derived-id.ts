/**
 * Deterministic ids for events a job emits: a job retried after a crash emits the same ids, so the
 * event store's conditional write and every idempotent consumer see one event, not two. ULID-shaped
 * (`evt_` + 10 time chars + 16 chars), with the source event's time so ids still sort by time.
 */
import { createHash } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeTime(ms: number): string {
  let out = '';
  let rest = Math.max(0, Math.min(Math.floor(ms), 2 ** 48 - 1));
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** `evt_<ULID-shaped>` from the source event id, its createdAt, the job name and the emit index. */
function derivedEventId(source: { id: string; createdAt: string }, jobName: string, index: number): string {
  const digest = createHash('sha256').update(`${source.id}\u0000${jobName}\u0000${index}`).digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[(digest[i] ?? 0) & 31];
  const time = Date.parse(source.createdAt);
  return `evt_${encodeTime(Number.isFinite(time) ? time : 0)}${tail}`;
}

export { derivedEventId };
