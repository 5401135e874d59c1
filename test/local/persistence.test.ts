import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startHerald } from '../../local/runtime.js';
import { synthFixture } from './fixtures/stack.js';

describe('startHerald with a data dir', () => {
  const outdir = mkdtempSync(join(process.cwd(), 'cdk.out.test-persist-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-local-data-'));
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps table items and queued messages across a restart', async () => {
    synthFixture(outdir);
    const options = { skipSynth: true, outdir, quiet: true, stateFile: null, dataDir } as const;
    const first = await startHerald(options);
    const dlq = Object.keys(first.queues).find((id) => id.startsWith('WebhookDlq')) ?? '';
    await first.injectSqsMessage(dlq, 'kept across restarts');
    await first.stop();

    const second = await startHerald(options);
    try {
      const ddb = new DynamoDBClient({
        endpoint: second.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      const { Items = [] } = await ddb.send(new ScanCommand({ TableName: Object.values(second.tables)[0] }));
      ddb.destroy();
      // One admin key, kept in the data dir and reused: restarts do not pile up valid admin keys.
      expect(Items.filter((i) => i.pk?.S?.startsWith('APIKEY#'))).toHaveLength(1);
      const depth = (second.metrics().queues as Array<{ logicalId: string; visible: number }>).find(
        (q) => q.logicalId === dlq,
      );
      expect(depth?.visible).toBe(1);
    } finally {
      await second.stop();
    }
  }, 30_000);
});
