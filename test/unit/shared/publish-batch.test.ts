import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeBytes } from '../../../lambdas/shared/event-json.js';
import { type BatchEntry, packBatches } from '../../../lambdas/shared/publish-batch.js';

const entry = (id: string, bodyBytes: number): BatchEntry => ({
  id,
  message: { body: 'x'.repeat(bodyBytes), attributes: { type: 'a.b' } },
});
const bytes = (e: BatchEntry) => envelopeBytes(e.message.body, e.message.attributes);

describe('packBatches', () => {
  it('puts at most 10 entries in a call', () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(`e${i}`, 100));
    expect(packBatches(entries).map((call) => call.length)).toEqual([10, 10, 5]);
  });

  it('starts a new call before the messages together pass 256 KiB', () => {
    const big = 100_000;
    const entries = [entry('a', big), entry('b', big), entry('c', big), entry('d', 10)];
    expect(packBatches(entries).map((call) => call.map((e) => e.id))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('keeps order, loses nothing, and respects both limits for any sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 262_000 }), { maxLength: 120 }), (sizes) => {
        const entries = sizes.map((size, i) => entry(`e${i}`, size));
        const calls = packBatches(entries);
        expect(calls.flat().map((e) => e.id)).toEqual(entries.map((e) => e.id));
        for (const call of calls) {
          expect(call.length).toBeGreaterThan(0);
          expect(call.length).toBeLessThanOrEqual(10);
          if (call.length > 1)
            expect(call.reduce((sum, e) => sum + bytes(e), 0)).toBeLessThanOrEqual(262_144);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('packs 100 small events into 10 calls (what the cost model bills)', () => {
    expect(packBatches(Array.from({ length: 100 }, (_, i) => entry(`e${i}`, 500)))).toHaveLength(10);
  });
});
