/**
 * `npm run cost`: reads the synthesized template (synthesizing it when cdk.out has none), prices the
 * model with bench/cost/prices-us-east-1.json and regenerates the figures in docs/cost.md.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricName } from '../../lambdas/shared/observability.js';
import { RETRY_LANE_MAX_WAIT_SECONDS } from '../../lambdas/webhooks/backoff.js';
import { updateGeneratedSection } from '../lib/markers.js';
import { loadFootprint, loadMeasured } from './counted.js';
import { renderFailurePaths } from './failure-paths.js';
import { FALLBACK_MEMORY_MB, type InputOverrides, resolveInputs, retryLaneHops } from './inputs.js';
import { measureKmsCalls } from './kms.js';
import { loadPriceTable, unitPrice } from './prices.js';
import { renderCost, renderKms } from './render.js';
import { renderMonthly } from './table.js';
import { type CfnTemplate, readTemplateFacts, type TemplateFacts } from './template.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TEMPLATE = join(ROOT, 'cdk.out', 'Herald.template.json');

function synthesize(): void {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
}

function loadTemplate(): { facts: TemplateFacts | undefined; note: string } {
  if (!existsSync(TEMPLATE)) {
    try {
      synthesize();
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return { facts: undefined, note: `not available (cdk synth failed: ${reason}); memory sizes assumed.` };
    }
  }
  if (!existsSync(TEMPLATE))
    return { facts: undefined, note: 'cdk.out/Herald.template.json missing; memory assumed.' };
  const facts = readTemplateFacts(JSON.parse(readFileSync(TEMPLATE, 'utf8')) as CfnTemplate);
  const summary = facts.functions.map((f) => `${f.role} ${f.memoryMb} MB ${f.architecture}`).join(', ');
  return {
    facts,
    note: `cdk.out/Herald.template.json — ${facts.functions.length} Herald functions (${summary || 'none'}), ${facts.queues} queues, ${facts.stateMachines} state machine(s).`,
  };
}

/** The retry schedule's length from Herald's backoff module, when it exists. */
async function retryAttemptsFromCode(): Promise<number | undefined> {
  const path = join(ROOT, 'lambdas', 'webhooks', 'backoff.ts');
  if (!existsSync(path)) return undefined;
  const mod = (await import(path)) as { RETRY_SCHEDULE_SECONDS?: readonly number[] };
  return mod.RETRY_SCHEDULE_SECONDS?.length;
}

/**
 * Measured durations, when the end-to-end benchmark has written them:
 * bench/results/lambda-durations.json = { "durationsMs": { "ingest": 41, ... }, "webhookPostMs"?: 95, "source": "..." }.
 */
function measuredOverrides(): { overrides: InputOverrides; source?: string } {
  const path = join(ROOT, 'bench', 'results', 'lambda-durations.json');
  if (!existsSync(path)) return { overrides: {} };
  const raw = JSON.parse(readFileSync(path, 'utf8')) as InputOverrides & { source?: string };
  return {
    overrides: {
      ...(raw.durationsMs && { durationsMs: raw.durationsMs }),
      ...(raw.webhookPostMs !== undefined && { webhookPostMs: raw.webhookPostMs }),
    },
    source: raw.source ?? 'bench/results/lambda-durations.json',
  };
}

const { facts, note } = loadTemplate();
const measured = measuredOverrides();
const bench = loadMeasured(ROOT);
const retryAttempts = await retryAttemptsFromCode();
const resolved = resolveInputs(facts, {
  ...measured.overrides,
  // The benchmark's figures win over a hand-written lambda-durations.json.
  durationsMs: { ...measured.overrides.durationsMs, ...bench.durationsMs },
  cpuMs: bench.cpuMs,
  ...(bench.counted !== undefined && { counted: bench.counted }),
  ...(retryAttempts !== undefined && { retryAttempts }),
  retryLaneHops: retryLaneHops(),
});
const { memoryFromTemplate, measuredDurations } = resolved;
// KMS calls per delivery, counted at the local key service; the first (typical) scenario prices the model.
const kms = await measureKmsCalls();
const inputs = { ...resolved.inputs, kmsCallsPerDelivery: kms[0]?.decryptsPerDelivery ?? 0 };
const prices = loadPriceTable(join(ROOT, 'bench', 'cost', 'prices-us-east-1.json'));
const notes = [
  `Template: ${note}${memoryFromTemplate.length === 5 ? '' : ` Memory from the template for: ${memoryFromTemplate.join(', ') || 'none'}; ${FALLBACK_MEMORY_MB} MB assumed for the rest.`}`,
  `Requests per event: ${
    inputs.counted !== undefined
      ? `counted at the emulators through the local runtime (${inputs.counted.source}): ${inputs.counted.dynamoWrites} DynamoDB writes (+ ${inputs.counted.dynamoIndexedWrites} gsi1k index writes, derived: one per published event), ${inputs.counted.dynamoConsistentReads} consistent reads, ${inputs.counted.dynamoQueries} queries, ${inputs.counted.snsPublishes} SNS publishes, invocations ${Object.entries(
          inputs.counted.invocations,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; SQS consumers batch ${inputs.sqsBatchSize} messages (assumed)`
      : 'assumed (no bench/results/herald-<date>.json with counted calls yet)'
  }.`,
  `Durations: ${measuredDurations.length > 0 ? `measured for ${measuredDurations.join(', ')} (${bench.source ?? measured.source}: wall ms per message in the local runtime's paced runs on a 2-core machine where every emulator shares the cores, so higher than on Lambda), assumed for the rest` : 'assumed (no measured durations yet)'}.`,
  `Retry attempts: ${retryAttempts !== undefined ? `${retryAttempts}, the length of RETRY_SCHEDULE_SECONDS in lambdas/webhooks/backoff.ts` : `${inputs.retryAttempts} (assumed; lambdas/webhooks/backoff.ts not present)`}.`,
  `Retry lane (issue 19): retries 1–${inputs.retryLaneHops?.length ?? 0} (every jittered wait at most RETRY_LANE_MAX_WAIT_SECONDS, ${RETRY_LANE_MAX_WAIT_SECONDS} s) go through SQS with DelaySeconds of at most 900 s, ${(inputs.retryLaneHops ?? []).join(', ')} hops each on average over the jitter (a send, a receive, a delete and an invocation of the lane's consumer a hop, one message a batch; the due hop makes the attempt with the attempt function's memory and time); the workflow starts at retry ${(inputs.retryLaneHops?.length ?? 0) + 1}. No Retry-After assumed (a long one sends its retry to the workflow).`,
];
const footprint = loadFootprint(ROOT);
// The monthly bill (issue 21) needs the footprint `npm run cost:measure` records and the template.
const monthly =
  footprint !== undefined && facts !== undefined && inputs.counted !== undefined
    ? renderMonthly(inputs, prices, footprint, {
        kmsKeys: facts.kmsKeys,
        alarmMetrics: facts.alarmMetrics,
        dashboards: facts.dashboards,
        polledQueues: facts.eventSourceMappings,
        // Until the lane's consumer is in the template, the model adds its queue's idle polling itself.
        retryLaneInTemplate: facts.functions.some((f) => /retry-?lane/i.test(f.logicalId)),
        provisionedHolders: facts.capacityHolders,
        // Reads and writes of each table (2 × 2) and writes of the index.
        throttleAlarmMetrics: facts.capacityHolders + 2,
        // Powertools publishes each metric name with the one `service` dimension.
        customMetrics: Object.keys(MetricName).length,
      })
    : '### What a bill shows\n\nNot computed: run `npm run cost:measure` first (it records the footprint).';
const markdown = `${monthly}\n\n${renderCost(inputs, prices, { notes })}\n\n${renderFailurePaths(inputs, prices)}\n\n${renderKms(kms, unitPrice(prices, 'kmsRequest'))}`;
console.log(markdown);
updateGeneratedSection(join(ROOT, 'docs', 'cost.md'), 'cost-figures', markdown);
console.error('cost: updated docs/cost.md');
