/**
 * The worst a registered schema can make ingest spend validating one event (issue 20, finding 3), written
 * to docs/benchmarks.md (section `schema-worst-results`) by `npm run bench:schema`. Each case is a
 * schema that registration accepts and a `data` of at most 256 KiB built to spend the event's budget of
 * checks (lambdas/shared/catalog/schema-meter.ts) in a different way: subschemas that fan out, deep
 * comparisons, pairwise `uniqueItems`, patterns matched cold, many errors, the rounding probes. Times are
 * the real publish path after the catalog read (`validateData`), median of interleaved runs after a
 * warm-up; a "cold" case compiles a fresh validator before each run, so its pattern starts with an empty
 * RE2 cache, as on a container's first publish.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { type CatalogEntry, validateData } from '../lambdas/shared/catalog/catalog.js';
import { ChecksSpent, newBudget } from '../lambdas/shared/catalog/checks-budget.js';
import { BASE_CHECKS, CHECKS_PER_CHAR, checksBudgetFor } from '../lambdas/shared/catalog/schema-meter.js';
import { assertUsableSchema, validateValue } from '../lambdas/shared/catalog/validator.js';
import { HeraldError } from '../lambdas/shared/errors.js';
import { updateGeneratedSection } from './lib/markers.js';

const ROOT = join(import.meta.dirname, '..');
const MAX_DATA_CHARS = 256 * 1024 - 100;
const WARMUP_RUNS = 3;
const RUNS = 11;

interface WorstCase {
  readonly name: string;
  readonly schema: Record<string, unknown>;
  /** `data` as the producer sends it (JSON text), at most MAX_DATA_CHARS. */
  readonly dataJson: string;
  /** Compile a fresh validator before each run (an empty pattern cache). */
  readonly cold?: boolean;
}

/** As many copies of `item` as fit in an array of at most `chars` characters of JSON. */
function filled(item: unknown, chars = MAX_DATA_CHARS - 20): unknown[] {
  const one = JSON.stringify(item).length + 1;
  return Array.from({ length: Math.floor(chars / one) }, () => item);
}

const json = (value: unknown): string => JSON.stringify(value);

function cases(): WorstCase[] {
  const branches = Array.from({ length: 64 }, (_, i) => ({ type: 'object', required: [`k${i}`] }));
  const nested = {
    $defs: {
      n: {
        type: 'object',
        oneOf: [
          { properties: { x: { $ref: '#/$defs/n' } } },
          { properties: { x: { $ref: '#/$defs/n' } }, required: ['y'] },
        ],
      },
    },
    $ref: '#/$defs/n',
  };
  let deep: unknown = {};
  for (let i = 0; i < 31; i++) deep = { x: deep };
  const enumValues = Array.from({ length: 1000 }, (_, i) => ({ id: i, tags: ['a', 'b'], ok: true }));
  const uniqueItem = (i: number) => ({
    a: 'x'.repeat(40),
    b: [1, 2, 3, 4, 5, 6, 7, 8],
    c: { d: true, e: null },
    i,
  });
  // ~2,000 instructions, the most a pattern may compile to.
  const bigPattern = '^([a-z]{1,100}){1,9}[0-9]$';
  const overPrecise = Array.from({ length: 20 }, (_, i) => `1.00000000000000000000${i + 1}`).join(',');
  const currencies = ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK'];
  const line = {
    sku: 'SKU-0001-ABCD',
    quantity: 2,
    unitPrice: 1250,
    currency: 'EUR',
    contact: 'a@example.com',
  };
  return [
    {
      name: 'for scale, a plain schema: order lines (pattern, enum, format, bounds), all valid',
      schema: {
        type: 'object',
        required: ['lines'],
        properties: {
          lines: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['sku', 'quantity', 'unitPrice', 'currency'],
              properties: {
                sku: { type: 'string', pattern: '^[A-Z0-9-]{1,32}$' },
                quantity: { type: 'integer', minimum: 1 },
                unitPrice: { type: 'integer', minimum: 0 },
                currency: { enum: currencies },
                contact: { type: 'string', format: 'email', maxLength: 254 },
              },
            },
          },
        },
      },
      dataJson: json({ lines: filled(line) }),
    },
    {
      name: 'anyOf of 64 branches over every item, each item matching the last',
      schema: { type: 'object', properties: { items: { type: 'array', items: { anyOf: branches } } } },
      dataJson: json({ items: filled({ k63: 1 }) }),
    },
    {
      name: 'the same, every item matching none (errors pile up)',
      schema: { type: 'object', properties: { items: { type: 'array', items: { anyOf: branches } } } },
      dataJson: json({ items: filled({}) }),
    },
    {
      name: 'recursive oneOf: two branches per level, 31 levels (2^31 evaluations unmetered)',
      schema: nested,
      dataJson: json(deep),
    },
    {
      name: 'enum of 1,000 objects over every item, each item equal to the last value',
      schema: { type: 'object', properties: { items: { type: 'array', items: { enum: enumValues } } } },
      dataJson: json({ items: filled(enumValues.at(-1)) }),
    },
    {
      name: 'uniqueItems over 1,000 objects differing only in their last member',
      schema: { type: 'object', properties: { items: { type: 'array', uniqueItems: true, maxItems: 1000 } } },
      dataJson: json({ items: Array.from({ length: 1000 }, (_, i) => uniqueItem(i)) }),
    },
    {
      name: `pattern of ~2,000 RE2 instructions over 8 strings of 600 characters, first match in a container (\`${bigPattern}\`)`,
      schema: {
        type: 'object',
        properties: { s: { type: 'array', items: { type: 'string', pattern: bigPattern } } },
      },
      dataJson: json({ s: Array.from({ length: 8 }, () => 'a'.repeat(600)) }),
      cold: true,
    },
    {
      name: '10 patternProperties over 20 members with 200-character names, first match in a container',
      schema: {
        type: 'object',
        patternProperties: Object.fromEntries(
          Array.from({ length: 10 }, (_, i) => [`^([a-z]{1,20}){1,5}${i}$`, { type: 'integer' }]),
        ),
      },
      dataJson: json(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${'a'.repeat(200)}${i}`, 1]))),
      cold: true,
    },
    {
      name: 'format uri on one 256 KiB string, in allOf of 4',
      schema: { allOf: Array.from({ length: 4 }, () => ({ type: 'string', format: 'uri' })) },
      dataJson: json(`http://${'a:'.repeat(MAX_DATA_CHARS / 2 - 10)}`),
    },
    {
      name: '20 over-precise numbers the schema does not constrain (61 validations: data and 3 probes each)',
      schema: { type: 'object', properties: { items: { type: 'array', items: { anyOf: branches } } } },
      dataJson: `{"n":[${overPrecise}],"items":${json(filled({ k63: 1 }, MAX_DATA_CHARS - 700))}}`,
    },
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface CaseResult {
  readonly name: string;
  readonly dataChars: number;
  readonly budget: number;
  readonly outcome: string;
  /** Checks the validation of `data` itself spent (the rounding probes aside). */
  readonly spent: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

let runId = 0;

/** The checks validating `c`'s data spends, up to its budget. */
async function spentChecks(c: WorstCase): Promise<number> {
  const budget = newBudget(c.dataJson.length);
  try {
    await validateValue(`bench:spent:${c.name}`, c.schema, JSON.parse(c.dataJson), '/data', budget);
  } catch (error) {
    if (!(error instanceof ChecksSpent)) throw error;
    return budget.limit;
  }
  return budget.limit - budget.left;
}

/** One validation of `c` as ingest runs it; answers the outcome and the milliseconds it took. */
async function once(c: WorstCase): Promise<{ outcome: string; ms: number }> {
  const entry: CatalogEntry = {
    name: 'bench.worst',
    version: 1,
    schema: c.schema,
    archived: false,
    cacheKey: c.cold ? `bench:${c.name}:${runId++}` : `bench:${c.name}`,
  };
  const data = JSON.parse(c.dataJson) as unknown;
  // A cold run compiles first, untimed: the figure is the first validation, not Ajv's compile.
  if (c.cold) await validateData(entry, null, 'null').catch(() => undefined);
  const started = performance.now();
  let outcome = 'accepted';
  try {
    await validateData(entry, data, c.dataJson);
  } catch (error) {
    outcome = error instanceof HeraldError ? `${error.status} ${error.code}` : `threw ${String(error)}`;
  }
  return { outcome, ms: performance.now() - started };
}

async function runSchemaWorstBenchmark(): Promise<CaseResult[]> {
  const all = cases();
  for (const c of all) {
    await assertUsableSchema(c.schema); // every case is admissible: registration accepts it
    if (c.dataJson.length > MAX_DATA_CHARS)
      throw new Error(`${c.name}: data is ${c.dataJson.length} characters`);
    for (let i = 0; i < WARMUP_RUNS; i++) await once(c);
  }
  const samples = all.map(() => [] as number[]);
  const outcomes = all.map(() => '');
  // Interleaved: each round runs every case once, so a neighbour's load falls on all of them alike.
  for (let r = 0; r < RUNS; r++) {
    for (const [i, c] of all.entries()) {
      const { outcome, ms } = await once(c);
      samples[i]!.push(ms);
      outcomes[i] = outcome;
    }
  }
  const spent = await Promise.all(all.map(spentChecks));
  return all.map((c, i) => ({
    name: c.name,
    dataChars: c.dataJson.length,
    budget: checksBudgetFor(c.dataJson.length),
    outcome: outcomes[i]!,
    spent: spent[i]!,
    medianMs: Math.round(median(samples[i]!) * 10) / 10,
    maxMs: Math.round(Math.max(...samples[i]!) * 10) / 10,
  }));
}

/**
 * The largest schema registration accepts: 1,000 subschemas (the root and 999 properties), 100 of them
 * with a pattern, descriptions filling it towards the 256 KiB a registration body may hold.
 */
function largestSchema(): Record<string, unknown> {
  const properties = Object.fromEntries(
    Array.from({ length: 999 }, (_, i) => [
      `field_${i}`,
      {
        type: 'string',
        maxLength: 64,
        ...(i < 100 ? { pattern: `^[a-z]{1,8}${i}$` } : {}),
        description: 'x'.repeat(190),
      },
    ]),
  );
  return { type: 'object', additionalProperties: false, properties };
}

/** Milliseconds to register the largest schema, and to compile it on a container's first publish. */
async function compileLargest(): Promise<{ chars: number; registerMs: number; firstPublishMs: number }> {
  const schema = largestSchema();
  const register: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    await assertUsableSchema(schema);
    register.push(performance.now() - t);
    const entry: CatalogEntry = {
      name: 'bench.large',
      version: 1,
      schema,
      archived: false,
      cacheKey: `bench:large:${i}`,
    };
    t = performance.now();
    await validateData(entry, { field_0: 'abc0' }, '{"field_0":"abc0"}');
    first.push(performance.now() - t);
  }
  const round = (ms: number) => Math.round(ms);
  return {
    chars: JSON.stringify(schema).length,
    registerMs: round(median(register)),
    firstPublishMs: round(median(first)),
  };
}

function renderSchemaWorstSection(
  results: readonly CaseResult[],
  largest: { chars: number; registerMs: number; firstPublishMs: number },
  machine: string,
  date: string,
): string {
  const worst = results.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
  return [
    `Measured ${date} on ${machine}, a machine shared with other work (\`npm run bench:schema\`; median and slowest of ${RUNS} interleaved runs after ${WARMUP_RUNS} warm-up runs). Budget per event: ${BASE_CHECKS.toLocaleString('en-US')} checks plus ${CHECKS_PER_CHAR} per character of \`data\`.`,
    '',
    '| schema (accepted at registration) and data | data | budget (checks) | spent by `data` | answer | median | slowest |',
    '|---|---:|---:|---:|---|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${(r.dataChars / 1024).toFixed(0)} KiB | ${r.budget.toLocaleString('en-US')} | ${Math.round((100 * r.spent) / r.budget)} % | ${r.outcome} | ${r.medianMs} ms | ${r.maxMs} ms |`,
    ),
    '',
    `Compiling is not metered: it happens once per schema version per container. The largest schema registration accepts (${(largest.chars / 1024).toFixed(0)} KiB: 1,000 subschemas, 100 of them with a pattern) takes ${largest.registerMs} ms to register and ${largest.firstPublishMs} ms on a container's first publish of it (median of 5).`,
    '',
    `**Worst admissible event: ${worst.medianMs} ms** (${worst.name}). A batch of 100 events holds at most 4 MiB of \`data\`, so its budget is at most 100 × ${BASE_CHECKS.toLocaleString('en-US')} + ${CHECKS_PER_CHAR} × 4 MiB checks, about ${Math.round((100 * BASE_CHECKS + CHECKS_PER_CHAR * 4 * 1024 * 1024) / checksBudgetFor(256 * 1024))} times one 256 KiB event's.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  const results = await runSchemaWorstBenchmark();
  const largest = await compileLargest();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`;
  const section = renderSchemaWorstSection(results, largest, machine, date);
  console.log(section);
  writeFileSync(
    join(ROOT, 'bench', 'results', `schema-worst-${date}.json`),
    `${JSON.stringify({ date, machine, results, largest }, null, 2)}\n`,
  );
  updateGeneratedSection(join(ROOT, 'docs', 'benchmarks.md'), 'schema-worst-results', section);
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  await main();
}
