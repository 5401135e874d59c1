/**
 * The local runtime names queues as the API and the CLI do (issue 13, point 3): every name `/v1/dlq`
 * answers with (DLQs and their source queues) is the name `npm start`, the metrics view and
 * `.herald/local.json` show for that queue — no CDK logical ids where a person reads.
 */
import { describe, expect, it } from 'vitest';
import { byDisplayName } from '../../../local/runtime.js';
import { dlqs } from '../support/fixtures.js';
import { useHerald } from '../support/suite.js';
import { requireLocal, skipReason } from '../support/target.js';

const ctx = useHerald();

describe('local names', () => {
  it.skipIf(skipReason('local names', 'the local runtime'))(
    'queues carry the names /v1/dlq uses, in local.json and the metrics view',
    async () => {
      const runtime = requireLocal(ctx.target).runtime as unknown as Parameters<typeof byDisplayName>[0] & {
        metricsUrl: string;
      };
      const apiNames = (await dlqs(ctx.api)).flatMap((q) => [q.name, q.sourceQueue]);
      expect(apiNames).toEqual(
        expect.arrayContaining(['job-invoice', 'job-invoice-dlq', 'dispatch', 'webhook-dlq']),
      );

      const state = byDisplayName(runtime);
      expect(Object.keys(state.queues).sort()).toEqual([...new Set(apiNames)].sort());
      for (const [name, logicalId] of Object.entries(state.logicalIds.queues))
        expect(state.queues[name]).toBe(runtime.queues[logicalId]);

      const snapshot = (await (await fetch(runtime.metricsUrl)).json()) as {
        queues: Array<{ name: string }>;
      };
      expect(snapshot.queues.map((q) => q.name).sort()).toEqual([...new Set(apiNames)].sort());
      expect(Object.values(state.functions).length).toBe(Object.keys(runtime.functions).length);
      expect(Object.keys(state.functions)).toContain('job-invoice');
      expect(Object.keys(state.tables).sort()).toEqual(['idempotency', 'main']);
    },
  );
});
