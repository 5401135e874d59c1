/**
 * POST /v1/endpoints/{id}/test — sends one test event (`herald.endpoint.test`) to that endpoint only,
 * so a developer can check a receiver without publishing (a tenant key cannot publish). The event is
 * stored like any other and delivered through the dispatch queue as a redelivery request naming the
 * endpoint, never published to SNS: no job and no other endpoint sees it. Its deliveries and attempts
 * read like any event's.
 */
import { requireManager, requireTenantVisible } from '../../shared/auth.js';
import { budgetRefusal } from '../../shared/delivery-budget.js';
import { NotFoundError, TransientError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { replayOf } from '../../shared/messages.js';
import { jsonResponse } from '../../shared/problem.js';
import { takeDeliveryBudget } from '../../shared/store/delivery-budget.js';
import { getEndpoint } from '../../shared/store/endpoints.js';
import { putEvent } from '../../shared/store/events.js';
import { sendRedeliveries } from '../redeliver.js';
import { type Route, route } from '../router.js';

/** Reserved (`herald.`), so no client can publish it and no receiver confuses it with real traffic. */
const TEST_EVENT_TYPE = 'herald.endpoint.test';

const sendTestEvent = route('POST', '/v1/endpoints/{id}/test', async ({ principal, params }) => {
  requireManager(principal);
  const endpoint = await getEndpoint(params.id!);
  if (endpoint === undefined) throw new NotFoundError('Endpoint not found');
  requireTenantVisible(principal, endpoint.tenantId, 'Endpoint');
  // A test is a delivery the caller triggers: it counts against the tenant's budget (delivery-budget.ts).
  const take = await takeDeliveryBudget(endpoint.tenantId, 1, 'all');
  if (take.granted === 0) throw budgetRefusal(endpoint.tenantId, take, 'endpoint-test');
  const event = {
    id: newId('evt'),
    type: TEST_EVENT_TYPE,
    tenantId: endpoint.tenantId,
    createdAt: new Date().toISOString(),
    // `target`, not `endpointId`: an operational event is never delivered to the endpoint its
    // data.endpointId names (dispatch's aboutEndpoint), and this one must reach exactly that endpoint.
    data: { target: endpoint.id, message: 'A test event sent from Herald' },
  };
  await putEvent(event, 'test');
  const { sent } = await sendRedeliveries([replayOf(event.id, endpoint.id)]);
  if (sent !== 1) throw new TransientError('The test event was stored but could not be queued; retry');
  return jsonResponse(202, { ...event, endpointId: endpoint.id });
});

const endpointTestRoutes: readonly Route[] = [sendTestEvent];

export { endpointTestRoutes };
