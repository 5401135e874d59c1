/**
 * What payload filters cost (issue 22, adrs/0010), measured in-process and written to
 * docs/benchmarks.md (section `filter-results`) by `npm run bench:filter`:
 *   - evaluation (`matchesFilter`) of representative filters on an order.placed event, after a
 *     warm-up, median of runs of many calls — the per-endpoint, per-event cost dispatch pays;
 *   - the save-time cost: parse and check against the order.placed schema;
 *   - for the ADR's comparison, the same conditions written in CEL and evaluated by
 *     `@marcbachmann/cel-js` when it is installed (`npm i --no-save @marcbachmann/cel-js@8`);
 *     Herald does not depend on it.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { builtInType } from '../lambdas/shared/catalog/built-in.js';
import { matchesFilter } from '../lambdas/webhooks/filter/evaluate.js';
import { FILTER_LIMITS, type FieldsNode, parseFilter } from '../lambdas/webhooks/filter/pattern.js';
import { checkFilter } from '../lambdas/webhooks/filter/schema-check.js';
import { updateGeneratedSection } from './lib/markers.js';

const ROOT = join(import.meta.dirname, '..');
const WARMUP_CALLS = 200_000;
const RUNS = 31;
const CALLS_PER_RUN = 20_000;

const event = {
  type: 'order.placed',
  tenantId: 't_1',
  data: {
    orderId: '1001',
    currency: 'EUR',
    taxRate: 0.2,
    lines: Array.from({ length: 10 }, (_, i) => ({ sku: `SKU-${i}`, quantity: i + 1, unitPrice: 500 * i })),
  },
};

interface Case {
  readonly name: string;
  readonly filter: unknown;
  /** The same condition in CEL, for the comparison in the ADR. */
  readonly cel: string;
}

const CASES: readonly Case[] = [
  {
    name: 'one exact value (`currency` is EUR)',
    filter: { data: { currency: ['EUR'] } },
    cel: 'data.currency == "EUR"',
  },
  {
    name: 'numeric over array items (any of 10 lines priced ≥ 4,000)',
    filter: { data: { lines: { unitPrice: [{ numeric: ['>=', 4000] }] } } },
    cel: 'data.lines.exists(l, l.unitPrice >= 4000)',
  },
  {
    name: 'type, $or, prefix, anything-but, numeric range (8 conditions)',
    filter: {
      type: ['order.placed'],
      data: {
        currency: [{ 'anything-but': ['USD', 'GBP'] }],
        orderId: [{ prefix: '10' }],
        $or: [{ taxRate: [{ numeric: ['>', 0.1, '<=', 0.25] }] }, { lines: { sku: [{ suffix: '-gift' }] } }],
      },
    },
    cel: 'event_type == "order.placed" && !(data.currency in ["USD", "GBP"]) && data.orderId.startsWith("10") && ((has(data.taxRate) && data.taxRate > 0.1 && data.taxRate <= 0.25) || data.lines.exists(l, l.sku.endsWith("-gift")))',
  },
  {
    name: `the largest filter the limits allow (${FILTER_LIMITS.maxConditions} conditions, none matching)`,
    filter: {
      data: { orderId: Array.from({ length: FILTER_LIMITS.maxConditions }, (_, i) => `no-${i}`) },
    },
    cel: `data.orderId in [${Array.from({ length: FILTER_LIMITS.maxConditions }, (_, i) => `"no-${i}"`).join(', ')}]`,
  },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median microseconds per call over RUNS runs of CALLS_PER_RUN calls, after a warm-up. */
function perCallMicros(call: () => unknown): number {
  let sink = 0;
  for (let i = 0; i < WARMUP_CALLS; i++) if (call()) sink++;
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < CALLS_PER_RUN; i++) if (call()) sink++;
    runs.push(Number(process.hrtime.bigint() - t) / 1000 / CALLS_PER_RUN);
  }
  if (sink < 0) console.log(sink); // keeps the calls from being optimised away
  return Math.round(median(runs) * 1000) / 1000;
}

interface CelEnvironment {
  evaluate(expression: string, context: Record<string, unknown>): unknown;
  parse(expression: string): (context: Record<string, unknown>) => unknown;
}

/** @marcbachmann/cel-js when it is installed; undefined otherwise. */
async function celEnvironment(): Promise<CelEnvironment | undefined> {
  const name = '@marcbachmann/cel-js';
  try {
    const cel = (await import(name)) as { Environment: new (o: object) => Record<string, CallableFunction> };
    const env = new cel.Environment({ unlistedVariablesAreDyn: true });
    env.registerVariable!('data', 'map');
    env.registerVariable!('event_type', 'string');
    return env as unknown as CelEnvironment;
  } catch {
    return undefined;
  }
}

interface FilterBenchRow {
  readonly name: string;
  readonly matched: boolean;
  readonly evaluateMicros: number;
  readonly saveMicros: number;
  readonly celMicros?: number;
}

async function runFilterBenchmark(): Promise<FilterBenchRow[]> {
  const schema = builtInType('order.placed')!.schema;
  const cel = await celEnvironment();
  const celContext = { data: event.data, event_type: event.type };
  const rows: FilterBenchRow[] = [];
  for (const c of CASES) {
    const parsed = parseFilter(c.filter);
    if (!parsed.ok) throw new Error(`${c.name}: ${JSON.stringify(parsed.errors)}`);
    const filter: FieldsNode = parsed.filter;
    const checkInput = { tenantId: 't_1', types: [{ name: 'order.placed', schema }], subscribes: () => true };
    const checked = checkFilter(filter, checkInput);
    if (checked.errors.length > 0) throw new Error(`${c.name}: ${JSON.stringify(checked.errors)}`);
    const matched = matchesFilter(filter, event);
    const evaluateMicros = perCallMicros(() => matchesFilter(filter, event));
    const saveMicros = perCallMicros(() => {
      const p = parseFilter(c.filter);
      return p.ok && checkFilter(p.filter, checkInput).errors.length === 0;
    });
    let celMicros: number | undefined;
    if (cel !== undefined) {
      const program = cel.parse(c.cel);
      if (program(celContext) !== matched) throw new Error(`${c.name}: CEL disagrees with the pattern`);
      celMicros = perCallMicros(() => program(celContext));
    }
    rows.push({
      name: c.name,
      matched,
      evaluateMicros,
      saveMicros,
      ...(celMicros !== undefined ? { celMicros } : {}),
    });
  }
  return rows;
}

function renderFilterSection(rows: readonly FilterBenchRow[], machine: string, date: string): string {
  const withCel = rows.some((r) => r.celMicros !== undefined);
  return [
    `Measured ${date} on ${machine} (\`npm run bench:filter\`; after ${WARMUP_CALLS.toLocaleString('en-US')} warm-up calls, median of ${RUNS} runs of ${CALLS_PER_RUN.toLocaleString('en-US')}; an order.placed event with 10 lines). Target: under 20 µs per filter per event.`,
    '',
    `| filter | matches | evaluation per event | save-time parse + schema check |${withCel ? ' same condition in CEL (@marcbachmann/cel-js 8, parsed once) |' : ''}`,
    `|---|---|---:|---:|${withCel ? '---:|' : ''}`,
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.matched ? 'yes' : 'no'} | ${r.evaluateMicros} µs | ${r.saveMicros} µs |${withCel ? ` ${r.celMicros ?? '–'} µs |` : ''}`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  const rows = await runFilterBenchmark();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`;
  const section = renderFilterSection(rows, machine, date);
  console.log(section);
  writeFileSync(
    join(ROOT, 'bench', 'results', `filter-${date}.json`),
    `${JSON.stringify({ date, machine, rows }, null, 2)}\n`,
  );
  updateGeneratedSection(join(ROOT, 'docs', 'benchmarks.md'), 'filter-results', section);
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  await main();
}

export type { FilterBenchRow };
export { renderFilterSection, runFilterBenchmark };
