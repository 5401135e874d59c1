/** Small statistics helpers for benchmark samples (milliseconds unless stated). */

interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending-sorted array; NaN for an empty one. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] as number;
}

function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number)),
  };
}

/** Fraction of adjacent pairs (in processing order) whose sequence numbers increase. */
function inOrderFraction(sequence: readonly number[]): number {
  if (sequence.length < 2) return 1;
  let ordered = 0;
  for (let i = 1; i < sequence.length; i++) {
    if ((sequence[i] as number) > (sequence[i - 1] as number)) ordered++;
  }
  return ordered / (sequence.length - 1);
}

export type { LatencySummary };
export { inOrderFraction, percentile, summarize };
