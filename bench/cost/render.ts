/** Markdown for docs/cost.md: the totals table, the itemised bills and the inputs used. */

import type { KmsMeasurement } from './kms.js';
import { billedMs, type DeliveryDesign, deliveryCost, eventCost, type ModelInputs } from './model.js';
import type { PriceTable } from './prices.js';

const FAILURE_RATES = [0, 0.01, 0.05, 0.2] as const;
/** The design before the retry lane (issue 19): every retry in the per-delivery workflow. */
const withoutLane = (inputs: ModelInputs): ModelInputs => ({ ...inputs, retryLaneHops: [] });
/** The delivery designs compared per million deliveries, each with the inputs it is priced from. */
function designs(inputs: ModelInputs): readonly [DeliveryDesign, string, ModelInputs][] {
  const lane = inputs.retryLaneHops?.length ?? 0;
  return [
    [
      'herald-fast-path',
      lane > 0
        ? `Herald (first POST inline; retries 1–${lane} in the SQS retry lane, Step Functions from retry ${lane + 1})`
        : 'Herald (first POST inline, Step Functions only for retries)',
      inputs,
    ],
    [
      'herald-fast-path',
      'Herald before the retry lane (first POST inline, Step Functions for every retry)',
      withoutLane(inputs),
    ],
    ['step-functions-every-delivery', 'Every delivery through Step Functions', inputs],
    ['eventbridge-api-destinations', 'EventBridge API destinations (unsigned*)', inputs],
  ];
}

const usd = (v: number): string => `$${v.toFixed(2)}`;
const pct = (r: number): string => `${Math.round(r * 100)}%`;
const qty = (v: number): string =>
  v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });

function renderCost(inputs: ModelInputs, prices: PriceTable, context: { notes: readonly string[] }): string {
  const lines: string[] = [];
  lines.push(`Prices: ${prices.region}, ${prices.status} (bench/cost/prices-${prices.region}.json).`);
  for (const n of context.notes) lines.push(`${n}  `);
  lines.push('');
  lines.push('### Per million events (HTTP in → job → one webhook delivery)');
  lines.push('');
  lines.push(`| first-attempt failures | ${FAILURE_RATES.map(pct).join(' | ')} |`);
  lines.push(`|---|${FAILURE_RATES.map(() => '---:').join('|')}|`);
  lines.push(
    `| Herald, USD per 1 M events | ${FAILURE_RATES.map((f) => usd(eventCost(inputs, prices, f).totalUsdPerMillion)).join(' | ')} |`,
  );
  lines.push(
    `| before the retry lane (every retry in the workflow) | ${FAILURE_RATES.map((f) => usd(eventCost(withoutLane(inputs), prices, f).totalUsdPerMillion)).join(' | ')} |`,
  );
  if (inputs.counted !== undefined) {
    const c = inputs.counted;
    // The same counts, read the ways earlier versions of this model did, so figures can be compared.
    const followUp = Math.max(0, c.snsPublishes - 1);
    const withoutFollowUp = {
      ...c,
      dynamoWrites: c.dynamoWrites - followUp,
      dynamoIndexedWrites: c.dynamoIndexedWrites - followUp,
      dynamoConsistentReads: Math.max(0, c.dynamoConsistentReads - followUp),
      snsPublishes: c.snsPublishes - followUp,
      invocations: { ...c.invocations, dispatch: Math.max(0, (c.invocations.dispatch ?? 0) - followUp) },
    };
    const variants: [string, ModelInputs][] = [
      ['counted: the event, its job, its follow-up event (`invoice.created`) and gsi1k index writes', inputs],
      ['the follow-up billed as another event (as before)', { ...inputs, counted: withoutFollowUp }],
      [
        'the follow-up billed as another event and no index writes (what the earlier model counted)',
        { ...inputs, counted: { ...withoutFollowUp, dynamoIndexedWrites: 0 } },
      ],
    ];
    lines.push('');
    lines.push('The same counted requests, read three ways (the earlier, assumed model gave $11.98 at 1 %):');
    lines.push('');
    lines.push(`| reading | ${FAILURE_RATES.map(pct).join(' | ')} |`);
    lines.push(`|---|${FAILURE_RATES.map(() => '---:').join('|')}|`);
    for (const [label, variant] of variants)
      lines.push(
        `| ${label} | ${FAILURE_RATES.map((f) => usd(eventCost(variant, prices, f).totalUsdPerMillion)).join(' | ')} |`,
      );
  }
  lines.push('');
  lines.push('### Per million webhook deliveries (delivery part only)');
  lines.push('');
  lines.push(`| design | ${FAILURE_RATES.map(pct).join(' | ')} |`);
  lines.push(`|---|${FAILURE_RATES.map(() => '---:').join('|')}|`);
  for (const [design, label, priced] of designs(inputs)) {
    const cells = FAILURE_RATES.map((f) => usd(deliveryCost(priced, prices, design, f).totalUsdPerMillion));
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('\\* API destinations authenticate with Basic, API-key or OAuth headers; they cannot compute a');
  lines.push('Standard Webhooks HMAC over each body, and keep no per-attempt record.');
  for (const f of [0, 0.05]) {
    lines.push('');
    lines.push(`### Itemised: one million events at ${pct(f)} first-attempt failures`);
    lines.push('');
    lines.push('| component | billed unit | quantity | USD |');
    lines.push('|---|---|---:|---:|');
    for (const item of eventCost(inputs, prices, f).items) {
      lines.push(
        `| ${item.component} | ${item.price} | ${qty(item.quantityPerMillion)} | ${usd(item.usdPerMillion)} |`,
      );
    }
  }
  lines.push('');
  lines.push('### Inputs used');
  lines.push('');
  lines.push(
    '| function | memory MB | ms per message (measured or assumed: see Durations above) | of which CPU ms (at 1 vCPU) | billed ms at this memory |',
  );
  lines.push('|---|---:|---:|---:|---:|');
  for (const [name, p] of Object.entries(inputs.functions))
    lines.push(
      `| ${name} | ${p.memoryMb} | ${p.durationMs} | ${p.cpuMs ?? 0} | ${Math.round(billedMs(p) * 10) / 10} |`,
    );
  lines.push('');
  lines.push(
    `Webhook POST ${inputs.webhookPostMs} ms; StartExecution ${inputs.startExecutionMs} ms; jobs per event ${inputs.jobsPerEvent}; ` +
      `deliveries per event ${inputs.deliveriesPerEvent}; SQS batch ${inputs.sqsBatchSize}; ${inputs.retryAttempts} retries, ` +
      `each succeeding with probability ${inputs.retrySuccessRate}.`,
  );
  return lines.join('\n');
}

/** The envelope-encryption line: KMS calls counted per scenario, priced per million deliveries. */
function renderKms(measurements: readonly KmsMeasurement[], usdPerRequest: number): string {
  const lines = [
    '### Signing secrets: KMS calls per delivery (envelope encryption, data key cached per container)',
    '',
    'Counted at the local key service running lambdas/secrets/data-keys.ts (bench/cost/kms.ts), sealing with',
    "the table's current data key (a new one every 30 days); each dispatcher container starts cold.",
    'Goal: under $0.10 per million deliveries.',
    '',
    '| scenario | deliveries | GenerateDataKey | Decrypt | Decrypt per delivery | USD per 1 M deliveries |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const m of measurements) {
    lines.push(
      `| ${m.label} | ${qty(m.deliveries)} | ${m.generateDataKeyCalls} | ${m.decryptCalls} | ${m.decryptsPerDelivery.toFixed(4)} | $${(m.decryptsPerDelivery * 1_000_000 * usdPerRequest).toFixed(3)} |`,
    );
  }
  lines.push('');
  lines.push(
    'The first row prices the delivery line `signing-secret data keys (KMS Decrypt)` above. Sealing',
  );
  lines.push(
    'costs one GenerateDataKey per 30 days and one Decrypt per management container, not per delivery.',
  );
  return lines.join('\n');
}

export { FAILURE_RATES, renderCost, renderKms };
