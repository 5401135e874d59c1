import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startDynamo } from '../../local/dynamo.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe('dynalite in a child process', () => {
  it('serves DynamoDB on its endpoint and ends with stop()', async () => {
    const dynamo = await startDynamo();
    const pid = dynamo.pid ?? 0;
    expect(pid).not.toBe(process.pid);
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    try {
      const { TableNames } = await client.send(new ListTablesCommand({}));
      expect(TableNames).toEqual([]);
    } finally {
      client.destroy();
    }
    await dynamo.stop();
    expect(alive(pid)).toBe(false);
    await dynamo.stop(); // twice is harmless
  }, 20_000);

  it('exits when its parent dies without stopping it (SIGKILL)', async () => {
    const server = fileURLToPath(new URL('../../local/dynamo-server.ts', import.meta.url));
    // A parent that starts the server, prints its pid once it listens, then waits to be killed.
    const parentCode = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, [${JSON.stringify(server)}], { stdio: ['pipe', 'pipe', 'inherit'] });
      c.stdout.once('data', () => process.stdout.write(String(c.pid) + '\\n'));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
    const childPid = Number(chunk.toString().trim());
    expect(alive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitGone(childPid, 5000)).toBe(true);
  }, 20_000);
});
