/**
 * `EventsFilteredOut`, per endpoint (dimension `endpointId`): events an endpoint is subscribed to by
 * type but its payload filter turned away, so no delivery was created. Counted in memory through a
 * dispatch invocation and published once per endpoint at its end: one EMF line per endpoint per
 * batch, not one per event.
 */
import { MetricName, MetricUnit, metrics } from '../../shared/observability.js';

const pending = new Map<string, number>();

function countFilteredOut(endpoints: readonly { readonly id: string }[]): void {
  for (const { id } of endpoints) pending.set(id, (pending.get(id) ?? 0) + 1);
}

function publishFilteredOut(): void {
  for (const [endpointId, count] of pending) {
    const single = metrics.singleMetric();
    single.addDimension('endpointId', endpointId);
    single.addMetric(MetricName.EventsFilteredOut, MetricUnit.Count, count);
  }
  pending.clear();
}

export { countFilteredOut, publishFilteredOut };
