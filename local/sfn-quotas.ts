// Step Functions' account quotas as the local runtime plays them (docs/local-runtime.md, adrs/0011):
// a cap on open Standard executions and token buckets for StartExecution and state transitions, as
// the quotas page describes them (a bucket of `burst` tokens refilled at `refillPerSecond`). Off by
// default; `--sfn-quotas` turns them on, scaled down so a drill reaches them in seconds.

/** A token bucket (AWS's throttling model): `take()` succeeds while tokens remain. Clock passed in. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly burst: number,
    readonly refillPerSecond: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
  }

  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is there (0 when one is). */
  waitMs(now = Date.now()): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.refillPerSecond) * 1000);
  }
}

export interface SfnQuotas {
  /** Open (RUNNING) Standard executions; beyond it StartExecution answers ExecutionLimitExceeded. */
  readonly maxOpenExecutions?: number;
  /** StartExecution's bucket; empty → ThrottlingException. AWS: 1,300 / 300 per second (large regions). */
  readonly startExecution?: { readonly burst: number; readonly refillPerSecond: number };
  /** State transitions' bucket; empty → the transition waits for a token. AWS: 5,000 / 1,500 per second. */
  readonly stateTransitions?: { readonly burst: number; readonly refillPerSecond: number };
}

/** AWS's own figures (us-east-1, us-west-2, eu-west-1), for `--sfn-quotas aws`. */
const AWS_QUOTAS: SfnQuotas = Object.freeze({
  maxOpenExecutions: 1_000_000,
  startExecution: { burst: 1_300, refillPerSecond: 300 },
  stateTransitions: { burst: 5_000, refillPerSecond: 1_500 },
});

/**
 * `aws`, or `open=N,start=BURST/REFILL,transitions=BURST/REFILL` (any subset), e.g.
 * `open=50,start=13/3,transitions=50/15` — AWS's quotas divided by 100 with a small open cap.
 */
export function parseSfnQuotas(text: string): SfnQuotas {
  if (text.trim() === 'aws') return AWS_QUOTAS;
  const quotas: { -readonly [K in keyof SfnQuotas]: SfnQuotas[K] } = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [key, value = ''] = part.split('=');
    const bucket = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value);
    if (key === 'open' && /^\d+$/.test(value) && Number(value) > 0) quotas.maxOpenExecutions = Number(value);
    else if ((key === 'start' || key === 'transitions') && bucket !== null && Number(bucket[2]) > 0) {
      const parsed = { burst: Math.max(1, Number(bucket[1])), refillPerSecond: Number(bucket[2]) };
      if (key === 'start') quotas.startExecution = parsed;
      else quotas.stateTransitions = parsed;
    } else {
      throw new Error(
        `--sfn-quotas: cannot read "${part}"; write aws, or open=N,start=BURST/REFILL,transitions=BURST/REFILL`,
      );
    }
  }
  return quotas;
}
