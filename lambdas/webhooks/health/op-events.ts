/**
 * Operational events (docs/api.md "Operational events"): ordinary events of reserved `herald.*` types,
 * published to the tenant concerned through the same topic (lambdas/shared/publish.ts), so they are
 * signed, retried and replayable like any other. Best effort: a failed publish is logged and counted,
 * never allowed to fail the delivery it is about (a retried attempt must not be dead-lettered for it).
 */

import { config } from '../../shared/config.js';
import { newId } from '../../shared/ids.js';
import type { HeraldEvent } from '../../shared/model.js';
import { logger, MetricName, MetricUnit, metrics } from '../../shared/observability.js';
import { publishEvent } from '../../shared/publish.js';
import { countOpEvent } from '../../shared/store/op-event-budget.js';

const OP_EVENT_TYPES = Object.freeze({
  failing: 'herald.endpoint.failing',
  recovered: 'herald.endpoint.recovered',
  disabled: 'herald.endpoint.disabled',
  exhausted: 'herald.delivery.exhausted',
});

type OpEventType = (typeof OP_EVENT_TYPES)[keyof typeof OP_EVENT_TYPES];

const RESERVED_PREFIX = 'herald.';

function isOperational(type: string): boolean {
  return type.startsWith(RESERVED_PREFIX);
}

/**
 * Within the tenant's bound this minute (HERALD_OP_EVENTS_PER_MINUTE, default 60)? Beyond it the event
 * is counted (`OpEventsSuppressed`) and logged, not sent: one storm of failing endpoints cannot turn
 * into a storm of operational events. A failure to count lets the event through (best effort).
 */
async function withinBound(tenantId: string, type: OpEventType): Promise<boolean> {
  try {
    const count = await countOpEvent(tenantId, Math.floor(Date.now() / 60_000));
    if (count <= config.opEventsPerMinute()) return true;
    metrics.addMetric(MetricName.OpEventsSuppressed, MetricUnit.Count, 1);
    logger.warn('operational event over the tenant bound', { tenantId, type, count });
    return false;
  } catch {
    return true;
  }
}

/** The endpoint an operational event is about: it is never delivered there. */
async function emitOpEvent(
  tenantId: string,
  type: OpEventType,
  data: { readonly endpointId: string; readonly eventId?: string } & Record<string, unknown>,
): Promise<void> {
  const event: HeraldEvent = { id: newId('evt'), type, tenantId, createdAt: new Date().toISOString(), data };
  if (!(await withinBound(tenantId, type))) return;
  try {
    await publishEvent(event, 'herald');
    logger.info('operational event published', { type, eventId: event.id, endpointId: data.endpointId });
  } catch (error) {
    logger.error('operational event not published', {
      type,
      endpointId: data.endpointId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

export type { OpEventType };
export { emitOpEvent, isOperational, OP_EVENT_TYPES };
