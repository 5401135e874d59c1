import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { emptyDir } from './harness.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/herald.mjs', import.meta.url));

describe('bin/herald.mjs', () => {
  it('runs the TypeScript CLI without a build step and forwards its exit code', async () => {
    const help = await run(process.execPath, [BIN, '--help'], { cwd: emptyDir() });
    expect(help.stdout).toContain('Usage: herald <command>');

    const failed = await run(process.execPath, [BIN, 'keys', 'list'], {
      cwd: emptyDir(),
      env: { PATH: process.env.PATH ?? '' },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('No Herald API URL configured');
  });
});
