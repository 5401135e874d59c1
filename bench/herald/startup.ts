/**
 * Start-up time of the local runtime: cold (empty output directory: `cdk synth` + bundling + start)
 * and warm (`skipSynth` on the assembly just made). Leaves the base assembly in place for the runs.
 */

import { rmSync } from 'node:fs';
import { startHerald } from '../../local/runtime.js';
import { BASE_OUTDIR } from './assembly.js';
import { TIME_SCALE } from './run.js';

interface StartupTimes {
  /** Empty outdir: synth included. */
  readonly coldMs: number;
  readonly coldSynthMs: number | undefined;
  /** skipSynth, best of `warmRuns`. */
  readonly warmMs: number;
  readonly warmRunsMs: readonly number[];
}

async function measureStartup(warmRuns = 3): Promise<StartupTimes> {
  rmSync(BASE_OUTDIR, { recursive: true, force: true });
  const base = { outdir: BASE_OUTDIR, quiet: true, stateFile: null, timeScale: TIME_SCALE } as const;
  const t0 = Date.now();
  const cold = await startHerald(base);
  const coldMs = Date.now() - t0;
  const coldSynthMs = cold.synthMs;
  await cold.stop();
  const warmRunsMs: number[] = [];
  for (let i = 0; i < warmRuns; i++) {
    const t = Date.now();
    const warm = await startHerald({ ...base, skipSynth: true });
    warmRunsMs.push(Date.now() - t);
    await warm.stop();
  }
  return { coldMs, coldSynthMs, warmMs: Math.min(...warmRunsMs), warmRunsMs };
}

export type { StartupTimes };
export { measureStartup };
