/**
 * Runs one runbook block with `bash -euo pipefail -c`, asynchronously: the local runtime serves HTTP
 * from this same process, so a blocking spawnSync would deadlock every CLI call the block makes.
 */
import { spawn } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';

interface ShellResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

interface ShellOptions {
  readonly cwd: string;
  /** Added to (and overriding) the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** PATH with this process's Node first (>= 22.5, what the blocks need), then the project's bins. */
function projectPath(root: string): string {
  return [dirname(process.execPath), join(root, 'node_modules', '.bin'), process.env.PATH ?? '']
    .filter((part) => part !== '')
    .join(delimiter);
}

/**
 * The inherited environment without anything that would point the CLI elsewhere (a developer's own
 * HERALD_* settings); the caller's `env` then says exactly where it talks to.
 */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('HERALD_')) env[name] = value;
  }
  return env;
}

function runBash(script: string, options: ShellOptions): Promise<ShellResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: options.cwd,
      env: { ...cleanEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a timeout ends the whole pipeline (npm → sh → node), not just bash.
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - started,
        timedOut,
      });
    });
  });
}

export type { ShellOptions, ShellResult };
export { projectPath, runBash };
