/**
 * The tables' billing mode (docs/internals.md "Provisioned capacity"): on-demand by default, or
 * provisioned with auto-scaling (`-c herald:billing=provisioned`), which costs far less per write at a
 * steady rate (docs/cost.md) but throttles a burst beyond what auto-scaling has reached. Pure
 * decisions here: the capacity settings from context, how far the SQS event sources may scale
 * out so that the consumers cannot write faster than the tables' ceiling, and the opt-in batching
 * window of the job and dispatch event sources (`-c herald:batchingWindowSeconds`).
 */

type Billing = 'on-demand' | 'provisioned';

/** Capacity units per second: auto-scaling keeps consumed/provisioned near the target between min and max. */
interface ProvisionedCapacity {
  readonly minWriteCapacity: number;
  readonly maxWriteCapacity: number;
  readonly minReadCapacity: number;
  readonly maxReadCapacity: number;
  /** Utilisation auto-scaling aims for, in percent (20–90 here; AWS allows 20–90). */
  readonly targetUtilizationPercent: number;
}

const DEFAULT_CAPACITY: ProvisionedCapacity = {
  minWriteCapacity: 5,
  maxWriteCapacity: 1_000,
  minReadCapacity: 5,
  maxReadCapacity: 1_000,
  targetUtilizationPercent: 50,
};

/**
 * Main-table writes per message a consumer handles, counted (docs/cost.md, "Requests per event"): at
 * most 4 for a dispatcher (the event's record, the delivery claim and its index entry, the outcome)
 * per endpoint; a job makes 3 (Powertools in progress, completed, its effect).
 */
const WRITES_PER_MESSAGE = 4;
/**
 * Messages one concurrent consumer handles per second at most: a batch of 10 in about 200 ms
 * (dispatch's measured 10.8 ms of work per message plus a fast receiver's POST, docs/benchmarks.md).
 */
const MESSAGES_PER_SECOND_PER_CONSUMER = 50;
/** SQS event sources take a maximum concurrency from 2 to 1000. */
const MIN_EVENT_SOURCE_CONCURRENCY = 2;

class CapacityContextError extends Error {
  readonly code = 'invalid_context';
}

function positiveInteger(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 40_000) {
    throw new CapacityContextError(`Context ${name} must be an integer from 1 to 40000, got ${String(raw)}`);
  }
  return value;
}

/** The billing mode from context `herald:billing`; on-demand when absent. */
function parseBilling(raw: unknown): Billing {
  if (raw === undefined || raw === 'on-demand' || raw === 'ondemand') return 'on-demand';
  if (raw === 'provisioned') return 'provisioned';
  throw new CapacityContextError(
    `Context herald:billing must be "on-demand" or "provisioned", got ${String(raw)}`,
  );
}

/** Capacity from context (`herald:minWriteCapacity`, ...); defaults for what is absent; min ≤ max. */
function parseCapacity(context: (key: string) => unknown): ProvisionedCapacity {
  const capacity: ProvisionedCapacity = {
    minWriteCapacity: positiveInteger(
      context('herald:minWriteCapacity'),
      'herald:minWriteCapacity',
      DEFAULT_CAPACITY.minWriteCapacity,
    ),
    maxWriteCapacity: positiveInteger(
      context('herald:maxWriteCapacity'),
      'herald:maxWriteCapacity',
      DEFAULT_CAPACITY.maxWriteCapacity,
    ),
    minReadCapacity: positiveInteger(
      context('herald:minReadCapacity'),
      'herald:minReadCapacity',
      DEFAULT_CAPACITY.minReadCapacity,
    ),
    maxReadCapacity: positiveInteger(
      context('herald:maxReadCapacity'),
      'herald:maxReadCapacity',
      DEFAULT_CAPACITY.maxReadCapacity,
    ),
    targetUtilizationPercent: positiveInteger(
      context('herald:targetUtilization'),
      'herald:targetUtilization',
      DEFAULT_CAPACITY.targetUtilizationPercent,
    ),
  };
  if (capacity.minWriteCapacity > capacity.maxWriteCapacity) {
    throw new CapacityContextError('herald:minWriteCapacity must not exceed herald:maxWriteCapacity');
  }
  if (capacity.minReadCapacity > capacity.maxReadCapacity) {
    throw new CapacityContextError('herald:minReadCapacity must not exceed herald:maxReadCapacity');
  }
  if (capacity.targetUtilizationPercent < 20 || capacity.targetUtilizationPercent > 90) {
    throw new CapacityContextError('herald:targetUtilization must be from 20 to 90 (percent)');
  }
  return capacity;
}

/**
 * The most concurrent consumers of one of `queues` queues (sharing the ceiling equally) whose writes
 * the tables' ceiling (maxWriteCapacity) can take, never above what the event source already allows
 * nor below the event source minimum of 2.
 */
function eventSourceConcurrency(
  capacity: Pick<ProvisionedCapacity, 'maxWriteCapacity'>,
  configured: number,
  queues = 1,
  writesPerMessage = WRITES_PER_MESSAGE,
  messagesPerSecondPerConsumer = MESSAGES_PER_SECOND_PER_CONSUMER,
): number {
  const perQueue = capacity.maxWriteCapacity / Math.max(1, queues);
  const sized = Math.floor(perQueue / (writesPerMessage * messagesPerSecondPerConsumer));
  return Math.max(MIN_EVENT_SOURCE_CONCURRENCY, Math.min(configured, sized));
}

/** Context for the job and dispatch event sources' batching window, in whole seconds (docs/cost.md). */
const BATCHING_WINDOW_CONTEXT = 'herald:batchingWindowSeconds';
/**
 * The longest window offered: every second of it is a second a first attempt may wait before dispatch
 * sees its event, and past a few seconds the batches are full at any rate worth batching.
 */
const MAX_BATCHING_WINDOW_SECONDS = 5;

/**
 * The batching window from context `herald:batchingWindowSeconds`: 0 (none) when absent; otherwise a
 * whole number of seconds from 0 to 5 (`-c` passes a string, cdk.json a number).
 */
function parseBatchingWindowSeconds(raw: unknown): number {
  if (raw === undefined) return 0;
  const value =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)
        ? Number(raw)
        : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value > MAX_BATCHING_WINDOW_SECONDS) {
    throw new CapacityContextError(
      `Context ${BATCHING_WINDOW_CONTEXT} must be a whole number of seconds from 0 to ${MAX_BATCHING_WINDOW_SECONDS}, got ${String(raw)}`,
    );
  }
  return value;
}

/** The batching window a construct's context asks for (read where the event sources are made). */
function batchingWindowSecondsOf(scope: { readonly node: { tryGetContext(key: string): unknown } }): number {
  return parseBatchingWindowSeconds(scope.node.tryGetContext(BATCHING_WINDOW_CONTEXT));
}

export type { Billing, ProvisionedCapacity };
export {
  batchingWindowSecondsOf,
  DEFAULT_CAPACITY,
  eventSourceConcurrency,
  parseBatchingWindowSeconds,
  parseBilling,
  parseCapacity,
};
