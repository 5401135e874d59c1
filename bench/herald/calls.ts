/**
 * AWS calls per event, counted at the emulators (HeraldLocal.requestCounts, local/request-counter.ts)
 * while events go one at a time through the whole local runtime: POST /v1/events → ingest (which
 * verifies the key itself) → SNS → SQS → dispatch (and the invoice job for `order.placed`) → signed
 * POST. One event at a time, each waited for until every work queue is empty, so every call belongs
 * to the event; a first event warms the per-container caches, as a steady stream does. Printed
 * beside the contract's minimum.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countsSince, type RequestCounts } from '../../local/request-counter.js';
import type { HeraldLocal } from '../../local/runtime.js';
import { waitFor } from '../lib/time.js';
import { apiClient, expectStatus } from './api.js';

interface CallsScenario {
  readonly name: string;
  readonly type: string;
  /** Per event: the invoice job treats a repeated orderId as a customer's duplicate order. */
  readonly data: (i: number) => Record<string, unknown>;
}

interface CallsPerEvent {
  readonly scenario: string;
  readonly events: number;
  /** Mean per event, by `<service>:<operation>` (SQS receives are left out: idle pollers make them). */
  readonly perEvent: Readonly<Record<string, number>>;
  /** Mean per event, by service. */
  readonly perService: Readonly<Record<string, number>>;
}

const SCENARIOS: readonly CallsScenario[] = [
  { name: 'bench.webhook, one endpoint', type: 'bench.webhook', data: (i) => ({ n: i }) },
  {
    name: 'order.placed, invoice job, one endpoint',
    type: 'order.placed',
    data: (i) => ({
      orderId: `o-${Date.now().toString(36)}-${i}`,
      currency: 'EUR',
      lines: [{ sku: 'A', quantity: 1, unitPrice: 100 }],
    }),
  },
];

/**
 * What the contract needs per event at least, and why (API.md, DESIGN.md "Delivery semantics"), for a
 * first-time delivery to one endpoint. Lambda: ingest (it verifies the key itself since issue 21,
 * ADR 0005 amended), dispatch. DynamoDB: the event (GET /v1/events, replay), the delivery claim
 * (idempotent dispatch) and its outcome (the attempts listing). SNS: one publish.
 */
const CONTRACT_MINIMUM: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'bench.webhook': { dynamodb: 3, sns: 1, lambda: 2 },
  // + the job: its idempotency record (in progress, then completed), the invoice, the follow-up event
  // and its publish, the job invocation and the follow-up's dispatch (no endpoint matches it).
  'order.placed': { dynamodb: 7, sns: 2, lambda: 4 },
};

const isPolling = (op: string): boolean => op === 'sqs:ReceiveMessage';

async function measureCallsPerEvent(local: HeraldLocal, events = 5): Promise<CallsPerEvent[]> {
  const received = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.add(String(req.headers['webhook-id']));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/calls`;
  const client = apiClient(local.apiUrl, local.adminApiKey);
  const tenantId = `t_calls_${Date.now().toString(36)}`;
  try {
    await expectStatus(client, 201, 'POST', '/v1/endpoints', {
      tenantId,
      url,
      eventTypes: ['bench.*', 'order.*'],
    });
    const settled = async (id: string) => {
      const drained = () =>
        (local.metrics().queues as Array<{ isDlq: boolean; visible: number; inFlight: number }>)
          .filter((q) => !q.isDlq)
          .every((q) => q.visible === 0 && q.inFlight === 0);
      const ok = await waitFor(() => received.has(id) && drained(), { timeoutMs: 20_000, intervalMs: 10 });
      if (!ok) throw new Error(`event ${id} did not settle within 20 s`);
    };
    let n = 0;
    const publish = async (scenario: CallsScenario) => {
      const accepted = await expectStatus<{ id: string }>(client, 202, 'POST', '/v1/events', {
        type: scenario.type,
        tenantId,
        data: scenario.data(n++),
      });
      await settled(accepted.id);
    };
    const out: CallsPerEvent[] = [];
    for (const scenario of SCENARIOS) {
      await publish(scenario); // warms the containers and their caches
      const before = await local.requestCounts();
      for (let i = 0; i < events; i++) await publish(scenario);
      const delta = countsSince(await local.requestCounts(), before);
      const perEvent: Record<string, number> = {};
      const perService: Record<string, number> = {};
      for (const [op, n] of Object.entries(delta)) {
        if (isPolling(op)) continue;
        const mean = Math.round((n / events) * 100) / 100;
        perEvent[op] = mean;
        const service = op.slice(0, op.indexOf(':'));
        perService[service] = Math.round(((perService[service] ?? 0) + mean) * 100) / 100;
      }
      out.push({ scenario: scenario.name, events, perEvent, perService });
    }
    return out;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The contract's minimum for a scenario (by its event type). */
function contractMinimum(scenario: string): Readonly<Record<string, number>> {
  const type = scenario.split(',')[0] ?? '';
  return CONTRACT_MINIMUM[type] ?? {};
}

export type { CallsPerEvent, RequestCounts };
export { CONTRACT_MINIMUM, contractMinimum, measureCallsPerEvent, SCENARIOS };
