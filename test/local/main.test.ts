/**
 * `npm start` (local/main.ts) as a user runs it, in a child process: with its port taken it says so in
 * one line, exits non-zero and leaves no process behind (dynalite runs in a child process of its own).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Pids of live processes whose environment carries `marker` (children inherit it). */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

function run(
  args: string[],
  marker: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', ...args], {
    env: { ...process.env, HERALD_TEST_MARKER: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm start with its port taken', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('the process scan sees a live process that carries the marker (so an empty scan means something)', async () => {
    const marker = `herald-test-${randomUUID()}`;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {
      env: { ...process.env, HERALD_TEST_MARKER: marker },
    });
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(processesWith(marker)).toContain(child.pid);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  });

  it('says which port and how to choose another in one line, exits non-zero, leaves no process', async () => {
    const marker = `herald-test-${randomUUID()}`;
    const { code, stderr } = await run(['--port', String(port)], marker);

    expect(code).not.toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`port ${port} is taken`);
    expect(lines[0]).toContain('--port');
    expect(stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
    expect(processesWith(marker)).toEqual([]);
  });
});
