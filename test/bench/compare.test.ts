/**
 * bench/compare (the record behind docs/compare.md) still runs: every scenario on NATS JetStream,
 * RabbitMQ and Redis Streams (the brokers this machine and CI run on 127.0.0.1) and SQS (fauxqs,
 * in-process), with a small message count, and the report shows a figure in every cell. No timing is
 * asserted: speed is what the full `npm run compare` records, not what a test decides.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderCompare } from '../../bench/compare/report.js';
import { DEFAULT_SETTINGS, runCompare } from '../../bench/compare/run.js';

const BROKERS = ['sqs', 'nats', 'rabbitmq', 'redis'];
const COUNT = 200;

describe('npm run compare, small', () => {
  it('completes every scenario on every broker and prints their figures', async () => {
    const run = await runCompare(
      BROKERS,
      { ...DEFAULT_SETTINGS, count: COUNT, offeredPerSecond: 100, latencySeconds: 1 },
      { queueSuffix: `-test-${randomBytes(3).toString('hex')}` },
    );
    expect(run.results.map((r) => r.broker)).toEqual([
      'SQS (fauxqs)',
      'NATS JetStream',
      expect.stringMatching(/^RabbitMQ/),
      'Redis Streams',
    ]);
    for (const r of run.results) {
      expect({ broker: r.broker, errors: r.errors }).toEqual({ broker: r.broker, errors: [] });
      expect(r.throughput).toMatchObject({ messages: COUNT, processed: COUNT, completed: true });
      expect(r.latency).toMatchObject({ messages: 100, completed: true });
      // The idempotent job: the crashed consumer's effect is not repeated by the redelivery.
      expect(r.crash).toMatchObject({ effects: 1, duplicatesSkipped: 1 });
      expect(r.crash?.redeliveredAfterMs).toBeTypeOf('number');
      expect(r.poison).toMatchObject({ inDeadLetterQueue: true, goodMessageNotBlocked: true });
    }

    const table = renderCompare(run);
    const rows = table.split('\n').filter((line) => /^\| (SQS|NATS|RabbitMQ|Redis)/.test(line));
    expect(rows).toHaveLength(BROKERS.length);
    for (const row of rows) {
      const cells = row.split(' | ').slice(1);
      expect({ row, empty: cells.filter((c) => c.trim() === '—') }).toEqual({ row, empty: [] });
      expect(row).toMatch(/^\| [^|]+ \| [\d,]+ \| [\d,.]+ \/ [\d,.]+ \/ [\d,.]+ \|/);
    }
  });
});
