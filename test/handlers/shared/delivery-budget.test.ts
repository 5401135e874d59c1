/**
 * The delivery budget's counter on dynalite: exact under concurrent takes (no overshoot), partial
 * grants for `some`, nothing for `all` that does not fit, and a fresh budget in the next minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeDeliveryBudget } from '../../../lambdas/shared/store/delivery-budget.js';
import { type Harness, startHarness } from '../../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const now = new Date('2026-12-07T10:00:10Z');

describe('takeDeliveryBudget', () => {
  it('grants while the budget lasts, then refuses with the time to the next minute', async () => {
    const first = await takeDeliveryBudget('t_budget_1', 7, 'all', { now, limit: 10 });
    expect(first).toMatchObject({ granted: 7, current: 7, limit: 10 });
    const tooMany = await takeDeliveryBudget('t_budget_1', 4, 'all', { now, limit: 10 });
    expect(tooMany).toMatchObject({ granted: 0, current: 7, retryAfterSeconds: 50 });
    const some = await takeDeliveryBudget('t_budget_1', 4, 'some', { now, limit: 10 });
    expect(some).toMatchObject({ granted: 3, current: 10 });
    const nextMinute = new Date(now.getTime() + 60_000);
    expect((await takeDeliveryBudget('t_budget_1', 4, 'all', { now: nextMinute, limit: 10 })).granted).toBe(
      4,
    );
  });

  it('is one budget per tenant', async () => {
    await takeDeliveryBudget('t_budget_2', 10, 'all', { now, limit: 10 });
    expect((await takeDeliveryBudget('t_budget_3', 10, 'all', { now, limit: 10 })).granted).toBe(10);
  });

  it('never overshoots under concurrent takes', async () => {
    const takes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        takeDeliveryBudget('t_budget_4', 1 + (i % 3), i % 2 === 0 ? 'all' : 'some', { now, limit: 25 }),
      ),
    );
    const granted = takes
      .filter(
        (t): t is PromiseFulfilledResult<Awaited<ReturnType<typeof takeDeliveryBudget>>> =>
          t.status === 'fulfilled',
      )
      .reduce((sum, t) => sum + t.value.granted, 0);
    expect(granted).toBeLessThanOrEqual(25);
    const after = await takeDeliveryBudget('t_budget_4', 100, 'some', { now, limit: 25 });
    expect(granted + after.granted).toBe(25);
  });
});
