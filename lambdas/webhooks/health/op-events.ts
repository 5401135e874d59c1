/**
 * Operational events (docs/api.md "Operational events"): ordinary events of reserved `herald.*` types,
 * published to the tenant concerned through the same topic (lambdas/shared/publish.ts), so they are
 * signed, retried and replayable like any other. Best effort: a failed publish is logged and counted,
 * never allowed to fail the delivery it is about (a retried attempt must not be dead-lettered for it).
 */
import { newId } from '../../shared/ids.js';
import type { HeraldEvent } from '../../shared/model.js';
import { logger } from '../../shared/observability.js';
import { publishEvent } from '../../shared/publish.js';

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

/** The endpoint an operational event is about: it is never delivered there. */
async function emitOpEvent(
  tenantId: string,
  type: OpEventType,
  data: { readonly endpointId: string; readonly eventId?: string } & Record<string, unknown>,
): Promise<void> {
  const event: HeraldEvent = { id: newId('evt'), type, tenantId, createdAt: new Date().toISOString(), data };
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
