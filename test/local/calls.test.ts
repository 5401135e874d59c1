/**
 * DynamoDB calls per event through the whole local runtime (the real synthesized app), counted where
 * dynalite receives them: issue 14's budget is at most 4 for a `bench.webhook` delivered first time
 * and at most 11 for an `order.placed` with the invoice job and one endpoint (10 before job runs were recorded). Events go one at a time
 * (bench/herald/calls.ts), so each call belongs to its event. HERALD_CALLS_OUTDIR reuses an assembly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallsPerEvent, measureCallsPerEvent } from '../../bench/herald/calls.js';
import { type HeraldLocal, startHerald } from '../../local/runtime.js';
import { synthesize } from '../../local/synth.js';

let outdir: string;
let local: HeraldLocal;
let measured: CallsPerEvent[];
const reused = process.env.HERALD_CALLS_OUTDIR;

beforeAll(async () => {
  outdir = reused ?? mkdtempSync(join(process.cwd(), 'cdk.out.test-calls-'));
  if (reused === undefined) await synthesize({ outdir, timeScale: 0.01 });
  local = await startHerald({ outdir, skipSynth: true, quiet: true, stateFile: null, timeScale: 0.01 });
  measured = await measureCallsPerEvent(local, 4);
  console.info(JSON.stringify(measured, null, 2));
}, 240_000);

afterAll(async () => {
  await local?.stop();
  if (reused === undefined && outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
});

const scenario = (prefix: string): CallsPerEvent => {
  const found = measured.find((m) => m.scenario.startsWith(prefix));
  if (found === undefined) throw new Error(`no measurement for ${prefix}`);
  return found;
};

describe('AWS calls per event, counted at the emulators', () => {
  it('bench.webhook, one endpoint, first-time delivery: at most 3 DynamoDB calls', () => {
    const m = scenario('bench.webhook');
    expect(m.perService.dynamodb).toBeLessThanOrEqual(3);
    // The two writes the contract needs: the event with its claim on the delivery (adrs/0014), and the
    // delivery written once with its outcome (attempt 1 folded in).
    expect(m.perEvent['dynamodb:PutItem']).toBe(1);
    expect(m.perEvent['dynamodb:UpdateItem']).toBeGreaterThanOrEqual(1);
    expect(m.perService.sns).toBe(1);
  });

  // 10: 11 since each job run is recorded for `events get` (issue 24, one PutItem), less the delivery's
  // claim, now in the event record (adrs/0014).
  it('order.placed with the invoice job and one endpoint: at most 10 DynamoDB calls', () => {
    const m = scenario('order.placed');
    expect(m.perService.dynamodb).toBeLessThanOrEqual(10);
    // The event and its follow-up invoice.created are both published.
    expect(m.perService.sns).toBe(2);
  });
});
