// Every port the local runtime opens listens on loopback only (issue 20, finding 7): fauxqs binds
// 0.0.0.0 unless the runtime keeps it in, which let anyone on the network inject events.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldLocal, startHerald } from '../../local/runtime.js';
import { startMessaging } from '../../local/sqs-sns.js';
import { synthFixture } from './fixtures/stack.js';

/** Local addresses (hex, as /proc prints them) of every listening TCP socket on `port`. */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A: LISTEN
      const [address, portHex] = (cols[1] ?? '').split(':');
      if (Number.parseInt(portHex ?? '', 16) === port) out.push(address ?? '');
    }
  }
  return out;
}

const LOOPBACK = new Set(['0100007F', '00000000000000000000000001000000']); // 127.0.0.1, ::1

describe('the local runtime listens on loopback only', () => {
  it('reads listening sockets from /proc (the probe itself sees a 0.0.0.0 listener)', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const port = (server.address() as { port: number }).port;
    expect(listeners(port)).toEqual(['00000000']);
    await new Promise((resolve) => server.close(resolve));
  });

  it('fauxqs, started through startMessaging, binds 127.0.0.1', async () => {
    const server = await startMessaging({ port: 0, region: 'us-east-1' });
    try {
      expect(listeners(server.port)).toEqual(['0100007F']);
    } finally {
      await server.stop();
    }
  });

  describe('a whole runtime', () => {
    let outdir: string;
    let herald: HeraldLocal;
    beforeAll(async () => {
      outdir = mkdtempSync(join(process.cwd(), 'cdk.out.test-loopback-'));
      synthFixture(outdir);
      herald = await startHerald({ skipSynth: true, outdir, quiet: true, stateFile: null });
    }, 30_000);
    afterAll(async () => {
      await herald?.stop();
      rmSync(outdir, { recursive: true, force: true });
    });

    it('API, SQS/SNS, DynamoDB, Step Functions, KMS and metrics: no port open beyond loopback', () => {
      const urls = [
        herald.apiUrl,
        herald.sqsEndpoint,
        herald.snsEndpoint,
        herald.dynamodbEndpoint,
        herald.sfnEndpoint,
        herald.kmsEndpoint,
        herald.metricsUrl,
      ];
      for (const url of urls) {
        const found = listeners(Number(new URL(url).port));
        expect(found.length, url).toBeGreaterThan(0);
        expect(
          found.filter((address) => !LOOPBACK.has(address)),
          url,
        ).toEqual([]);
      }
    });
  });
});
