/**
 * The local runtime's own hardening (issue 20, finding 11): `--help` on both entry points, one admin key
 * across restarts with a data directory, and files only their owner can read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHerald } from '../../local/runtime.js';
import { synthFixture } from './fixtures/stack.js';

const run = (file: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('flags of npm start and npm run receiver', () => {
  it.each(['local/main.ts', 'local/receiver/main.ts'])('%s --help prints the usage and exits 0', (file) => {
    const result = run(file, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm (start|run receiver) --/);
    expect(result.stderr).not.toMatch(/at .*\(/); // no stack trace
  });

  it('an unknown flag is one line and the usage, exit 2; npm start documents --data', () => {
    const result = run('local/main.ts', ['--data-dir', 'x']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--data-dir'");
    expect(result.stderr).toContain('--data <dir>');
  });
});

describe('a runtime with a data directory, restarted', () => {
  let outdir: string;
  let dataDir: string;
  let stateFile: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(process.cwd(), 'cdk.out.test-hardening-'));
    synthFixture(outdir);
    dataDir = join(mkdtempSync(join(tmpdir(), 'herald-data-')), 'data');
    stateFile = join(mkdtempSync(join(tmpdir(), 'herald-state-')), 'local.json');
    writeFileSync(stateFile, '{}', { mode: 0o644 });
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
    rmSync(join(stateFile, '..'), { recursive: true, force: true });
  });

  it('keeps one admin key, and its files are readable by their owner only', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const herald = await startHerald({ skipSynth: true, outdir, quiet: true, dataDir, stateFile });
      keys.push(herald.adminApiKey);
      await herald.stop();
    }
    expect(keys[0]).toMatch(/^hrld_/);
    expect(keys[1]).toBe(keys[0]);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'admin-key')).mode & 0o777).toBe(0o600);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
  }, 60_000);
});
