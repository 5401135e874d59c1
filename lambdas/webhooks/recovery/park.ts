/**
 * Parking (adrs/0011): a delivery to an endpoint in trouble joins the endpoint's backlog instead of
 * starting a workflow of its own, and the endpoint gets one recovery workflow — started by whichever
 * park finds none running (a conditional lease on the backlog head), so orchestration grows with the
 * endpoints in trouble, not with their deliveries.
 */
import { config } from '../../shared/config.js';
import type { DeliveryRecord } from '../../shared/model.js';
import { MetricName, MetricUnit, metrics } from '../../shared/observability.js';
import { claimRecovery, parkEntry, recoveryLive, releaseRecovery } from '../../shared/store/backlog.js';
import { markParked, unstoredOf } from '../../shared/store/deliveries.js';
import { startExecution } from '../retry-workflow.js';

/** The recovery workflow's state between its steps (docs/internals.md "Endpoint recovery"). */
interface RecoveryState {
  readonly endpointId: string;
  readonly recoveryId: string;
  /** `probe`: one delivery at a time until one gets through; `drain`: the backlog, paced. */
  readonly phase: 'probe' | 'drain';
  /** Probes that failed in a row (the probe schedule's position). */
  readonly failedProbes: number;
  /** The drain's current rate (deliveries per second), absent before the first drain step. */
  readonly rate?: number;
  /** A rate-limit window (epoch second) a probe already counted for itself. */
  readonly reservedSlot?: number;
  /** When the next step runs (ISO); the workflow's Wait state waits until then. */
  readonly waitUntil: string;
  /** True when the recovery is over (the workflow's Choice ends it). */
  readonly done?: boolean;
}

/** Beyond its next step's due time, how long a recovery's lease lasts before another may take over. */
function leaseGraceMs(): number {
  return config.webhookTimeoutMs() + config.drainSliceSeconds() * 1000 + 60_000;
}

/** Recovery executions are named `rcv-<endpointId>-<ms>` (the retry watch parses it). */
function recoveryName(endpointId: string, now: Date): string {
  return `rcv-${endpointId}-${now.getTime()}`;
}

/**
 * Starts a recovery for the endpoint unless one holds a live lease. Throws when the workflow cannot
 * be started (a quota, a throttle), after letting go of the lease, so the caller's record is retried.
 */
async function ensureRecovery(endpointId: string, now = new Date()): Promise<boolean> {
  const recoveryId = recoveryName(endpointId, now);
  if (!(await claimRecovery(endpointId, recoveryId, new Date(now.getTime() + leaseGraceMs()), now)))
    return false;
  const state: RecoveryState = {
    endpointId,
    recoveryId,
    phase: 'probe',
    failedProbes: 0,
    waitUntil: now.toISOString(),
  };
  try {
    await startExecution(config.recoveryStateMachineArn(), recoveryId, JSON.stringify(state));
  } catch (error) {
    await releaseRecovery(endpointId, recoveryId);
    throw error;
  }
  metrics.addMetric(MetricName.RecoveriesStarted, MetricUnit.Count, 1);
  return true;
}

/**
 * Parks a claimed delivery (or re-parks one a duplicate message finds parked already: the entry's key
 * is the delivery's own `parkedAt`, so nothing is counted twice) and makes sure a recovery runs.
 */
async function park(delivery: DeliveryRecord, now = new Date()): Promise<void> {
  let parkedAt = delivery.parkedAt;
  if (parkedAt === undefined) {
    parkedAt = now.toISOString();
    const moved = await markParked(
      delivery.eventId,
      delivery.endpointId,
      delivery.generation,
      parkedAt,
      // Not in the table yet (adrs/0014): parking writes it whole.
      unstoredOf(delivery),
    );
    if (!moved) return;
  }
  const head = await parkEntry({
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    tenantId: delivery.tenantId,
    generation: delivery.generation,
    parkedAt,
  });
  if (head !== undefined) metrics.addMetric(MetricName.DeliveriesParked, MetricUnit.Count, 1);
  if (head === undefined || !recoveryLive(head, now)) await ensureRecovery(delivery.endpointId, now);
}

export type { RecoveryState };
export { ensureRecovery, leaseGraceMs, park };
