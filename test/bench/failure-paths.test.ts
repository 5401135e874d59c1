import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backlogAndRecovery,
  firstAttemptFails,
  perDeliveryWorkflows,
  probesIn,
  renderFailurePaths,
} from '../../bench/cost/failure-paths.js';
import { loadPriceTable } from '../../bench/cost/prices.js';

const prices = loadPriceTable(
  join(import.meta.dirname, '..', '..', 'bench', 'cost', 'prices-us-east-1.json'),
);
const DAY = 86_400;

describe('failure paths (issue 19)', () => {
  it('a day down costs the old design ~USD 575 per million, and the backlog under USD 5', () => {
    const before = perDeliveryWorkflows(prices, { seconds: DAY, perSecond: 50 });
    const after = backlogAndRecovery(prices, { seconds: DAY, perSecond: 50 });
    expect(before.perMillionUsd).toBeGreaterThan(500);
    expect(before.openExecutions).toBe(50 * DAY);
    expect(after.perMillionUsd).toBeLessThan(5);
    expect(after.openExecutions).toBeLessThan(10);
    expect(after.transitionsPerDelivery).toBeLessThan(0.001);
  });

  it('probes follow the schedule, then one an hour', () => {
    expect(probesIn(4)).toBe(0);
    expect(probesIn(5)).toBe(1);
    // 5 s, 5 min, 30 min, then hourly: 3 + 23 probes in a day.
    expect(probesIn(DAY)).toBe(3 + Math.floor((DAY - 5 - 300 - 1800) / 3600));
  });

  it('a first-attempt failure is priced from the schedule', () => {
    const failed = firstAttemptFails(prices);
    expect(failed.invocationsPerDelivery).toBeGreaterThan(1.9);
    expect(failed.invocationsPerDelivery).toBeLessThan(2);
    expect(renderFailurePaths(prices)).toContain('| endpoint down 5 days |');
  });
});
