// Synthesizes the CDK app for the local runtime (loopback webhooks allowed, retry waits scaled).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

export class SynthError extends Error {
  readonly code = 'local_synth_failed';
  readonly status = 500;
  readonly retryable = false;
}

export async function synthesize(options: {
  outdir: string;
  timeScale: number;
  cwd?: string;
  quiet?: boolean;
}): Promise<number> {
  const cdk = createRequire(import.meta.url).resolve('aws-cdk/bin/cdk');
  const args = [
    cdk,
    'synth',
    '--quiet',
    '--no-notices',
    '-c',
    'herald:allowLoopbackWebhooks=true',
    '-c',
    `herald:retryTimeScale=${options.timeScale}`,
    '--output',
    options.outdir,
  ];
  const started = Date.now();
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => output.push(c));
    child.stderr.on('data', (c: Buffer) => output.push(c));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0)
    throw new SynthError(
      `cdk synth failed (exit ${code}):\n${Buffer.concat(output).toString('utf8').slice(-4000)}`,
    );
  return Date.now() - started;
}
