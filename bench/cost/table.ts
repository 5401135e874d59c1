/**
 * The bill by traffic level (docs/cost.md "What a bill shows"): Herald before issue 21 and as it is
 * now, on-demand and provisioned, single events and batches of 10, beside EventBridge API destinations
 * and a self-hosted Svix — each at 1 M, 10 M and 100 M events a month, fixed costs included, each row
 * naming the guarantees it lacks — and the issue's targets, checked by the same model in the same run.
 */

import type { ModelInputs } from './model.js';
import {
  eventBridgeMonthly,
  type FixedFacts,
  type Footprint,
  type HeraldVariant,
  heraldMonthly,
  type MonthlyBill,
  POLLERS,
  RECEIVE_GATHER_SECONDS,
  SVIX_SHAPE,
  svixMonthly,
} from './monthly.js';
import type { PriceTable } from './prices.js';

const LEVELS = [1_000_000, 10_000_000, 100_000_000] as const;
const FAILURE_RATE = 0.01;
const TARGET_LEVEL = 10_000_000;

const HERALD_LACKS = 'nothing the contract promises';

/** Herald's variants: the first is the design before issue 21. */
const BEFORE: HeraldVariant = {
  label: 'Herald before issue 21 (on-demand; authorizer; platform logs at INFO; every retry in the workflow)',
  authorizerPerRequest: 1,
  eventsPerRequest: 1,
  billing: 'on-demand',
  utilization: 1,
  platformLogs: true,
  retryLane: false,
  // The delivery claim was an item of its own then, and wrote the list index: 2 writes a delivery
  // that issue 21 took off (the claim without gsi1 keys, then in the event record: adrs/0014).
  writesSaved: -2,
};
const ON_DEMAND: HeraldVariant = {
  label: 'Herald on-demand, single events',
  authorizerPerRequest: 0,
  eventsPerRequest: 1,
  billing: 'on-demand',
  utilization: 1,
  platformLogs: false,
};
const WITHOUT_LANE: HeraldVariant = {
  ...ON_DEMAND,
  label: "Herald on-demand, single events, before issue 19's retry lane (every retry in the workflow)",
  retryLane: false,
};
const BATCHED: HeraldVariant = {
  ...ON_DEMAND,
  label: 'Herald provisioned at 50 %, batches of 10',
  billing: 'provisioned',
  utilization: 0.5,
  eventsPerRequest: 10,
};
/** The opt-in batching window priced here (`-c herald:batchingWindowSeconds`, lib/capacity.ts). */
const WINDOW_SECONDS = 1;
const windowed = (variant: HeraldVariant): HeraldVariant => ({
  ...variant,
  label: `${variant.label}, ${WINDOW_SECONDS} s batching window (\`-c herald:batchingWindowSeconds=${WINDOW_SECONDS}\`)`,
  batchingWindowSeconds: WINDOW_SECONDS,
});
const WINDOW_LACKS = `a first attempt and a job wait up to ${WINDOW_SECONDS} s longer (the event sources gather a batch that long)`;
const variants = (): { variant: HeraldVariant; lacks: string }[] => [
  { variant: BEFORE, lacks: HERALD_LACKS },
  { variant: WITHOUT_LANE, lacks: HERALD_LACKS },
  { variant: ON_DEMAND, lacks: HERALD_LACKS },
  { variant: windowed(ON_DEMAND), lacks: `${HERALD_LACKS}; ${WINDOW_LACKS}` },
  {
    variant: { ...ON_DEMAND, label: 'Herald on-demand, batches of 10', eventsPerRequest: 10 },
    lacks: HERALD_LACKS,
  },
  {
    variant: {
      ...ON_DEMAND,
      label: 'Herald provisioned at 50 %, single events',
      billing: 'provisioned',
      utilization: 0.5,
    },
    lacks: `${HERALD_LACKS}; a burst above what auto-scaling has reached is throttled and waits in SQS`,
  },
  { variant: BATCHED, lacks: `${HERALD_LACKS}; bursts wait as above` },
  { variant: windowed(BATCHED), lacks: `${HERALD_LACKS}; bursts wait as above; ${WINDOW_LACKS}` },
];

const EVENTBRIDGE_LACKS =
  'no Standard Webhooks signature, no record of attempts, retries for at most 24 h, no endpoint health or breaker, no replay per endpoint, no portal';
const SVIX_LACKS = (multiAz: boolean) =>
  `no background jobs (that part of the work is not in the row); ${multiAz ? '' : 'one AZ: an AZ outage stops it; '}instances, database and cache to patch and scale; does not scale to zero`;

const usd = (v: number): string =>
  v >= 1000 ? `$${Math.round(v).toLocaleString('en-US')}` : `$${v.toFixed(2)}`;

interface Row {
  readonly label: string;
  readonly lacks: string;
  readonly bills: readonly MonthlyBill[];
}

function rows(inputs: ModelInputs, prices: PriceTable, footprint: Footprint, fixed: FixedFacts): Row[] {
  const out: Row[] = variants().map(({ variant, lacks }) => ({
    label: variant.label,
    lacks,
    bills: LEVELS.map((n) => heraldMonthly(inputs, prices, footprint, fixed, variant, n, FAILURE_RATE)),
  }));
  out.push({
    label:
      'EventBridge API destinations (same work: API, authorizer, ingest, PutEvents, the job and its follow-up, deliveries)',
    lacks: EVENTBRIDGE_LACKS,
    bills: LEVELS.map((n) => eventBridgeMonthly(inputs, prices, footprint, n, FAILURE_RATE, 5)),
  });
  for (const multiAz of [false, true]) {
    out.push({
      label: `Svix self-hosted, ${multiAz ? 'multi-AZ' : 'single-AZ'} (t4g.small, RDS PostgreSQL db.t4g.small, Redis t4g.micro, ALB)`,
      lacks: SVIX_LACKS(multiAz),
      bills: LEVELS.map((n) => svixMonthly(prices, footprint, n, { ...SVIX_SHAPE, multiAz })),
    });
  }
  return out;
}

function itemised(bill: MonthlyBill): string[] {
  const lines = [`| component | kind | USD a month |`, '|---|---|---:|'];
  for (const line of [...bill.lines].sort((a, b) => b.usd - a.usd)) {
    lines.push(`| ${line.component} | ${line.kind} | ${usd(line.usd)} |`);
  }
  lines.push(`| **total** | | **${usd(bill.totalUsd)}** (${usd(bill.usdPerMillion)} per million events) |`);
  return lines;
}

function renderMonthly(
  inputs: ModelInputs,
  prices: PriceTable,
  footprint: Footprint,
  fixed: FixedFacts,
): string {
  const table = rows(inputs, prices, footprint, fixed);
  const lines: string[] = [];
  lines.push(`### What a bill shows, by traffic level (${FAILURE_RATE * 100} % first-attempt failures)`);
  lines.push('');
  lines.push(
    `Footprint: ${footprint.source}: ${footprint.appLogBytesPerEvent} bytes of function logs per event, ` +
      `${footprint.storedByteMonthsPerEvent} DynamoDB byte-months per event (items, overhead and index entries over their TTL), ` +
      `${footprint.webhookRequestBytes} bytes per webhook POST; computed from the documented formats: ` +
      `${footprint.accessLogBytesPerRequest} bytes per API access log line, ${footprint.platformLogBytesPerInvocation} bytes of ` +
      `Lambda platform lines per invocation at INFO. Fixed: ${fixed.kmsKeys} KMS keys, ${fixed.alarmMetrics} alarm metrics, ` +
      `${fixed.dashboards} dashboard, ${fixed.customMetrics} custom metrics, ${fixed.polledQueues} polled queues${fixed.retryLaneInTemplate ? " (the retry lane's among them; rows without the lane drop it)" : " (+ the retry lane's in the rows that use it)"}, ` +
      `${fixed.provisionedHolders} tables and indexes at 5 RCU / 5 WCU at least when provisioned. ` +
      `SQS batches as the traffic makes them (1 + messages a second × ${RECEIVE_GATHER_SECONDS} s, at most 10; ` +
      `a batch request's messages arrive together and are shared by ${POLLERS} pollers).`,
  );
  lines.push('');
  lines.push(
    `| design | ${LEVELS.map((n) => `${n / 1_000_000} M / month`).join(' | ')} | per million at 10 M | lacks |`,
  );
  lines.push(`|---|${LEVELS.map(() => '---:').join('|')}|---:|---|`);
  for (const row of table) {
    const at10 = row.bills.find((b) => b.eventsPerMonth === TARGET_LEVEL)!;
    lines.push(
      `| ${row.label} | ${row.bills.map((b) => usd(b.totalUsd)).join(' | ')} | ${usd(at10.usdPerMillion)} | ${row.lacks} |`,
    );
  }
  // The targets, by the same model in the same run.
  const at = (label: string) =>
    table.find((r) => r.label === label)!.bills.find((b) => b.eventsPerMonth === TARGET_LEVEL)!;
  const before = at(BEFORE.label);
  const single = at(ON_DEMAND.label);
  const singleWithoutLane = at(WITHOUT_LANE.label);
  const batched = at(BATCHED.label);
  const batchedWindow = at(windowed(BATCHED).label);
  const eventBridge = table
    .find((r) => r.label.startsWith('EventBridge'))!
    .bills.find((b) => b.eventsPerMonth === TARGET_LEVEL)!;
  const ceiling = 0.75 * before.usdPerMillion;
  const singleRow = (label: string, bill: MonthlyBill) => {
    const ratio = bill.usdPerMillion / before.usdPerMillion;
    return `| ${label} ≤ 0.75 × before (${usd(ceiling)}) | ${usd(bill.usdPerMillion)} (${ratio.toFixed(2)} × ${usd(before.usdPerMillion)}) | ${ratio <= 0.75 ? `yes: ${usd(ceiling - bill.usdPerMillion)} under` : `no: ${usd(bill.usdPerMillion - ceiling)} over`} |`;
  };
  const eventBridgeCeiling = Math.min(6.5, eventBridge.usdPerMillion);
  const batchedRow = (label: string, bill: MonthlyBill) =>
    `| ${label} < EventBridge API destinations (${usd(eventBridge.usdPerMillion)}) and ≤ $6.50 | ${usd(bill.usdPerMillion)} | ${bill.usdPerMillion <= eventBridgeCeiling ? `yes: ${usd(eventBridgeCeiling - bill.usdPerMillion)} under` : `no: ${usd(bill.usdPerMillion - eventBridgeCeiling)} over`} |`;
  lines.push('');
  lines.push('#### The targets at 10 M events a month, 1 % first-attempt failures');
  lines.push('');
  lines.push('| target | figure | met? |');
  lines.push('|---|---:|---|');
  lines.push(singleRow('single events, on-demand', single));
  lines.push(
    singleRow(
      "single events, on-demand, without issue 19's retry lane (issue 21's own levers)",
      singleWithoutLane,
    ),
  );
  lines.push(
    singleRow(
      `single events, on-demand, with a ${WINDOW_SECONDS} s batching window on the job and dispatch queues`,
      at(windowed(ON_DEMAND).label),
    ),
  );
  lines.push(batchedRow('batches of 10, provisioned at 50 %', batched));
  lines.push(
    batchedRow(
      `batches of 10, provisioned at 50 %, with a ${WINDOW_SECONDS} s batching window on the job and dispatch queues`,
      batchedWindow,
    ),
  );
  lines.push('');
  lines.push('#### Itemised at 10 M events a month: before issue 21');
  lines.push('');
  lines.push(...itemised(before));
  lines.push('');
  lines.push('#### Itemised at 10 M events a month: provisioned at 50 %, batches of 10');
  lines.push('');
  lines.push(...itemised(batched));
  return lines.join('\n');
}

export { FAILURE_RATE, LEVELS, renderMonthly, rows };
