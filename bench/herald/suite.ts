/**
 * The Herald part of `npm run bench` (issue 6, points 1 and 3): start-up times, the offered-rate ×
 * consumers sweep through the HTTP API, the delivery side alone per consumer count and with batch size
 * 1 (what batching buys), a main-thread CPU profile, `npm test` wall time when recorded, bundle sizes.
 * Every run is bounded by its publish window and drain deadline; everything is on loopback.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_OUTDIR, dispatchVariant, ROOT, removeVariant } from './assembly.js';
import { type BundleSize, bundleSizes } from './bundles.js';
import { type ComponentShare, profileMainThread } from './profile.js';
import { type HeraldBenchResult, runHeraldBenchmark } from './run.js';
import { measureStartup, type StartupTimes } from './startup.js';

const CONSUMERS = [1, 2, 4] as const;
const RATES: ReadonlyArray<number | undefined> = [100, 250, 500, undefined];
const PUBLISH_SECONDS = 6;
const RUN_TIMEOUT_MS = 18_000;

interface SuiteRun {
  readonly consumers: number;
  readonly batchSize: number;
  readonly result: HeraldBenchResult;
}

interface HeraldSuiteResult {
  readonly startup: StartupTimes;
  /** Through POST /v1/events: the whole pipeline. */
  readonly api: readonly SuiteRun[];
  /** Straight onto the dispatch queue: SQS → dispatch → POST alone. */
  readonly dispatchOnly: readonly SuiteRun[];
  readonly profile: { readonly run: string; readonly components: readonly ComponentShare[] };
  readonly npmTestSeconds: number | undefined;
  readonly bundles: { readonly outdir: string; readonly sizes: readonly BundleSize[] };
}

function npmTestSeconds(): number | undefined {
  const path = join(ROOT, 'bench', 'results', 'npm-test-time.json');
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as {
    seconds?: unknown;
    wallSeconds?: unknown;
    ms?: unknown;
  };
  const seconds =
    parsed.seconds ?? parsed.wallSeconds ?? (typeof parsed.ms === 'number' ? parsed.ms / 1000 : undefined);
  return typeof seconds === 'number' ? seconds : undefined;
}

const say = (line: string): void => void process.stderr.write(`bench: herald ${line}\n`);

async function runHeraldSuite(): Promise<HeraldSuiteResult> {
  say('start-up (cold synth, then warm) ...');
  const startup = await measureStartup(2);
  const variants = new Map(CONSUMERS.map((c) => [c, dispatchVariant({ consumers: c })]));
  const unbatched = dispatchVariant({ consumers: 2, batchSize: 1 });
  try {
    const api: SuiteRun[] = [];
    let profile: HeraldSuiteResult['profile'] = { run: '', components: [] };
    for (const consumers of CONSUMERS) {
      for (const rate of RATES) {
        const label = `${consumers} consumer(s), ${rate === undefined ? 'max' : `${rate}/s`}`;
        say(`API, ${label} ...`);
        const options = {
          count: rate === undefined ? 10_000 : rate * PUBLISH_SECONDS,
          ...(rate === undefined ? {} : { offeredPerSecond: rate }),
          publishSeconds: PUBLISH_SECONDS,
          timeoutMs: RUN_TIMEOUT_MS,
          outdir: variants.get(consumers) ?? BASE_OUTDIR,
          consumers,
          breakdownSample: 60,
        };
        // One run is profiled (main thread): the last max-rate run, where saturation is clearest.
        if (rate === undefined && consumers === CONSUMERS[CONSUMERS.length - 1]) {
          const { result, components } = await profileMainThread(() => runHeraldBenchmark(options));
          profile = { run: `${label} (profiled)`, components };
          api.push({ consumers, batchSize: result.dispatch.batchSize, result });
        } else {
          const result = await runHeraldBenchmark(options);
          api.push({ consumers, batchSize: result.dispatch.batchSize, result });
        }
      }
    }
    const dispatchOnly: SuiteRun[] = [];
    const shapes: Array<{ consumers: number; outdir: string }> = [
      ...CONSUMERS.map((c) => ({ consumers: c, outdir: variants.get(c) ?? BASE_OUTDIR })),
      { consumers: 2, outdir: unbatched },
    ];
    for (const shape of shapes) {
      const result = await runHeraldBenchmark({
        count: 1_500,
        publishSeconds: PUBLISH_SECONDS,
        timeoutMs: RUN_TIMEOUT_MS,
        outdir: shape.outdir,
        consumers: shape.consumers,
        source: 'dispatch-queue',
        breakdownSample: 0,
      });
      say(
        `dispatch only, ${shape.consumers} consumer(s), batch ${result.dispatch.batchSize}: ${result.deliveriesPerSecond}/s`,
      );
      dispatchOnly.push({ consumers: shape.consumers, batchSize: result.dispatch.batchSize, result });
    }
    const bundleDir = existsSync(join(ROOT, 'cdk.out', 'manifest.json'))
      ? join(ROOT, 'cdk.out')
      : BASE_OUTDIR;
    return {
      startup,
      api,
      dispatchOnly,
      profile,
      npmTestSeconds: npmTestSeconds(),
      bundles: { outdir: bundleDir.slice(ROOT.length + 1), sizes: bundleSizes(bundleDir) },
    };
  } finally {
    for (const outdir of [...variants.values(), unbatched]) removeVariant(outdir);
  }
}

export type { HeraldSuiteResult, SuiteRun };
export { CONSUMERS, PUBLISH_SECONDS, RATES, runHeraldSuite };
