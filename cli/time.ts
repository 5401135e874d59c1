/** Instants and durations on the command line: ISO-8601, or "30m"/"2h"/"7d" meaning that long ago. */
import { UsageError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `7d` → milliseconds. */
function parseDuration(raw: string, flag: string): number {
  const match = /^(\d+)([smhd])$/.exec(raw.trim());
  if (match === null) throw new UsageError(`--${flag} must be a duration like 15m, 1h or 7d, not "${raw}"`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (ms <= 0) throw new UsageError(`--${flag} must be longer than zero`);
  return ms;
}

/** An ISO-8601 instant, `now`, or a duration meaning that long before `now`. */
function parseInstant(raw: string, flag: string, now: number): number {
  if (raw === 'now') return now;
  if (/^\d+[smhd]$/.test(raw.trim())) return now - parseDuration(raw, flag);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--${flag} must be an ISO-8601 time (2025-01-31T12:00:00Z), "now" or a duration ago (2h), not "${raw}"`,
    );
  }
  return ms;
}

export { parseDuration, parseInstant };
