/**
 * Re-renders docs/benchmarks.md's generated section from a saved results file, without re-running:
 * `sh scripts/with-node.sh npx tsx bench/herald/render.ts bench/results/herald-<date>.json`.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateGeneratedSection } from '../lib/markers.js';
import { ROOT } from './assembly.js';
import { type Comparison, renderHeraldSection } from './report.js';
import type { HeraldSuiteResult } from './suite.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: render.ts bench/results/herald-<date>.json');
const saved = JSON.parse(readFileSync(file, 'utf8')) as {
  date: string;
  machine: string;
  comparisons: Comparison[];
  suite: HeraldSuiteResult;
};
updateGeneratedSection(
  join(ROOT, 'docs', 'benchmarks.md'),
  'herald-results',
  renderHeraldSection(saved.suite, saved.comparisons, saved.machine, saved.date),
);
