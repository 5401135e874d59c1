/**
 * Fresh-process init time of each Lambda bundle, beside a minimal handler's: `node` starts, requires the
 * bundle (module evaluation, what a cold start pays before the first invocation) and reports
 * `performance.now()` (ms since the process began) before and after the require. Median of `runs`
 * fresh processes each; sizes from the asset directory. Run in sequence, so processes do not compete.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSizes } from './bundles.js';

interface InitTime {
  readonly functionId: string;
  readonly handlerBytes: number;
  /** All the asset's JavaScript, files loaded later included. */
  readonly jsBytes?: number;
  /** Median ms from process start to the bundle required. */
  readonly processToReadyMs: number;
  /** Median ms of the require alone. */
  readonly requireMs: number;
}

const PROBE = `const t0 = performance.now(); require(process.argv[1]); const t1 = performance.now();
process.stdout.write(JSON.stringify({ before: t0, after: t1 }));`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return Math.round((s[Math.floor((s.length - 1) / 2)] ?? Number.NaN) * 10) / 10;
}

function timeRequire(file: string, runs: number): { processToReadyMs: number; requireMs: number } {
  const total: number[] = [];
  const req: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', PROBE, file], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'init',
        AWS_SECRET_ACCESS_KEY: 'init',
        NODE_OPTIONS: '',
      },
      encoding: 'utf8',
    });
    const { before, after } = JSON.parse(out) as { before: number; after: number };
    total.push(after);
    req.push(after - before);
  }
  return { processToReadyMs: median(total), requireMs: median(req) };
}

function measureInitTimes(outdir: string, runs = 5): InitTime[] {
  const dir = mkdtempSync(join(tmpdir(), 'herald-init-'));
  try {
    const minimal = join(dir, 'minimal.js');
    writeFileSync(minimal, 'exports.handler = async () => ({ statusCode: 200 });\n');
    const out: InitTime[] = [
      {
        functionId: '(minimal handler)',
        handlerBytes: statSync(minimal).size,
        ...timeRequire(minimal, runs),
      },
    ];
    for (const b of bundleSizes(outdir)) {
      if (b.handlerFile === '') continue;
      const file = join(outdir, b.asset, b.handlerFile);
      out.push({
        functionId: b.functionId,
        handlerBytes: b.handlerBytes,
        jsBytes: b.jsBytes,
        ...timeRequire(file, runs),
      });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type { InitTime };
export { measureInitTimes };
