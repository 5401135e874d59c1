/**
 * Bounded polling. E2E assertions never rest on a fixed sleep: a condition is polled until it holds or
 * a deadline passes, and the timeout error says what was awaited and what was last seen.
 */

interface WaitOptions {
  /** @default 30_000 */
  readonly timeoutMs?: number;
  /** @default 50 */
  readonly intervalMs?: number;
  /** Named in the timeout error. */
  readonly description?: string;
}

class WaitTimeoutError extends Error {
  readonly code = 'wait_timeout';
  readonly status = 504;
  readonly retryable = false;
  constructor(description: string, timeoutMs: number, lastSeen: unknown) {
    super(`Timed out after ${timeoutMs} ms waiting for ${description}; last seen: ${describe(lastSeen)}`);
    this.name = 'WaitTimeoutError';
  }
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.slice(0, 800);
  } catch {
    return String(value);
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until `accept(value)` is true; returns that value. A probe that throws counts as "not
 * yet" (the runtime may still be starting) and its error is reported if the deadline passes.
 */
async function waitUntil<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastSeen: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      lastSeen = value;
    } catch (error) {
      lastSeen = error instanceof Error ? `${error.name}: ${error.message}` : error;
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(options.description ?? 'a condition', timeoutMs, lastSeen);
    }
    await pause(intervalMs);
  }
}

/** Like waitUntil, but returns the last value seen at the deadline instead of throwing (for reports). */
async function settle<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!accept(value) && Date.now() < deadline) {
    await pause(intervalMs);
    value = await probe();
  }
  return value;
}

/** Polls for `durationMs` and fails at once if `unexpected(value)` ever holds (e.g. "no duplicate"). */
async function holdsFor<T>(
  probe: () => Promise<T> | T,
  unexpected: (value: T) => boolean,
  durationMs: number,
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + durationMs;
  let value = await probe();
  while (Date.now() < end) {
    if (unexpected(value)) return value;
    await pause(intervalMs);
    value = await probe();
  }
  return value;
}

export type { WaitOptions };
export { holdsFor, pause, settle, waitUntil };
