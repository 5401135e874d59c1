/**
 * Payload filters in dispatch (adrs/0010), against dynalite + fauxqs and a real loopback receiver: an
 * event an endpoint's filter turns away gets no delivery — no item, no POST, no DynamoDB write naming
 * that endpoint, not even a `skipped` one for a disabled endpoint — and is counted per endpoint
 * (EventsFilteredOut). A replay of the event applies the filter as it is then.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { metrics } from '../../../lambdas/shared/observability.js';
import { getDelivery } from '../../../lambdas/shared/store/deliveries.js';
import { updateEndpoint } from '../../../lambdas/shared/store/endpoints.js';
import { handler } from '../../../lambdas/webhooks/dispatch.handler.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import { createEndpoint, type DeliveryHarness, type Receiver, startDeliveryHarness } from './support.js';

let receiver: Receiver;
let world: DeliveryHarness | undefined;

beforeAll(async () => {
  world = await startDeliveryHarness({ HERALD_WEBHOOK_TIMEOUT_MS: '1000', HERALD_RETRY_TIME_SCALE: '1' });
  ({ receiver } = world);
});

afterAll(async () => {
  await world?.stop();
});

function order(tenantId: string, currency: string): HeraldEvent {
  return {
    id: newId('evt'),
    type: 'order.placed',
    tenantId,
    createdAt: new Date().toISOString(),
    data: { orderId: 'o-1', currency, lines: [{ sku: 'A', quantity: 1, unitPrice: 2500 }] },
  };
}

async function dispatch(...bodies: unknown[]): Promise<SQSBatchResponse> {
  return handler(sqsEvent(bodies.map((body) => ({ body }))), lambdaContext());
}

/** The DynamoDB commands sent while `work` runs whose input mentions `text` (an endpoint id). */
async function writesNaming(text: string, work: () => Promise<unknown>): Promise<string[]> {
  const client = documentClient();
  const send = vi.spyOn(client, 'send');
  try {
    await work();
    return send.mock.calls
      .map(([command]) => command as { constructor: { name: string }; input: unknown })
      .filter((c) => !c.constructor.name.startsWith('Get') && !c.constructor.name.startsWith('Query'))
      .filter((c) => JSON.stringify(c.input).includes(text))
      .map((c) => c.constructor.name);
  } finally {
    send.mockRestore();
  }
}

/** Records what the filtered-out metric publishes, per endpoint. */
function recordFilteredOut() {
  const counted = new Map<string, number>();
  const real = metrics.singleMetric.bind(metrics);
  // Wraps the real single metric, so the other single metrics dispatch emits keep working.
  const spy = vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    const single = real();
    let endpointId = '';
    const addDimension = single.addDimension.bind(single);
    const addMetric = single.addMetric.bind(single);
    single.addDimension = (name: string, value: string) => {
      if (name === 'endpointId') endpointId = value;
      return addDimension(name, value);
    };
    single.addMetric = (name, unit, value) => {
      if (name === 'EventsFilteredOut') counted.set(endpointId, (counted.get(endpointId) ?? 0) + value);
      return addMetric(name, unit, value);
    };
    return single;
  });
  return { counted, restore: () => spy.mockRestore() };
}

describe('payload filters in dispatch', () => {
  it('delivers to the endpoints whose filter passes, creates nothing for the others, and counts them', async () => {
    const eur = await createEndpoint({
      tenantId: 't_fd',
      url: `${receiver.base}/eur`,
      filter: { data: { currency: ['EUR'] } },
    });
    const usd = await createEndpoint({
      tenantId: 't_fd',
      url: `${receiver.base}/usd`,
      filter: { data: { currency: ['USD'] } },
    });
    const usdOff = await createEndpoint({
      tenantId: 't_fd',
      url: `${receiver.base}/usd-off`,
      enabled: false,
      filter: { data: { currency: ['USD'] } },
    });
    const all = await createEndpoint({ tenantId: 't_fd', url: `${receiver.base}/all` });
    const metric = recordFilteredOut();
    try {
      const events = [order('t_fd', 'EUR'), order('t_fd', 'EUR'), order('t_fd', 'USD')];
      const writes = await writesNaming(usdOff.id, () => dispatch(...events.slice(0, 2)));
      expect(writes).toEqual([]);
      expect(await dispatch(events[2])).toEqual({ batchItemFailures: [] });

      expect(receiver.on('/eur')).toHaveLength(2);
      expect(receiver.on('/usd')).toHaveLength(1);
      expect(receiver.on('/all')).toHaveLength(3);
      expect(receiver.on('/usd-off')).toHaveLength(0);
      expect(await getDelivery(events[0]!.id, usd.id)).toBeUndefined();
      expect(await getDelivery(events[0]!.id, usdOff.id)).toBeUndefined();
      expect(await getDelivery(events[2]!.id, usdOff.id)).toMatchObject({ state: 'skipped' });
      expect(await getDelivery(events[2]!.id, eur.id)).toBeUndefined();
      expect(await getDelivery(events[0]!.id, all.id)).toMatchObject({ state: 'delivered' });
      // Per endpoint: the two EUR events turned away by usd and usd-off, the USD one by eur.
      expect(Object.fromEntries(metric.counted)).toEqual({ [usd.id]: 2, [usdOff.id]: 2, [eur.id]: 1 });
    } finally {
      metric.restore();
    }
  });

  it('a replay applies the filter as it is at replay time', async () => {
    const endpoint = await createEndpoint({
      tenantId: 't_fr',
      url: `${receiver.base}/replayed`,
      filter: { data: { currency: ['GBP'] } },
    });
    const event = order('t_fr', 'EUR');
    await dispatch(event);
    expect(receiver.on('/replayed')).toHaveLength(0);
    // The filter changes; a redelivery of the whole event now reaches the endpoint.
    const current = await updateEndpoint(
      endpoint.id,
      endpoint.updatedAt,
      { filter: { data: { currency: ['EUR'] } } },
      new Date().toISOString(),
    );
    expect(current?.filter).toEqual({ data: { currency: ['EUR'] } });
    await dispatch({ kind: 'herald.redeliver', eventId: event.id, reason: 'replay' });
    expect(receiver.on('/replayed')).toHaveLength(1);
  });
});
