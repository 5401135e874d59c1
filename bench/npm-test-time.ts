/**
 * Times `npm test` (the whole suite, as CI runs it) and writes bench/results/npm-test-time.json, which
 * `npm run bench` then prints. Run it on a quiet machine: the figure is wall time on 2 shared cores.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const started = performance.now();
const child = spawn('npm', ['test', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
const seconds = Math.round((performance.now() - started) / 100) / 10;

const result = {
  seconds,
  exitCode,
  measuredAt: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'npm-test-time.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`npm test: ${seconds} s, exit code ${exitCode} → bench/results/npm-test-time.json`);
process.exit(exitCode);
