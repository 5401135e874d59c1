import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backlogAndRecovery,
  FIRST_ATTEMPT_FAILS_TARGET_USD,
  firstAttemptFails,
  perDeliveryWorkflows,
  probesIn,
  renderFailurePaths,
} from '../../bench/cost/failure-paths.js';
import { resolveInputs, retryLaneHops, SQS_MAX_DELAY_SECONDS } from '../../bench/cost/inputs.js';
import { deliveryCost, type ModelInputs, retryExpectation } from '../../bench/cost/model.js';
import { loadPriceTable, unitPrice } from '../../bench/cost/prices.js';
import { RETRY_LANE_MAX_WAIT_SECONDS, RETRY_SCHEDULE_SECONDS } from '../../lambdas/webhooks/backoff.js';

const prices = loadPriceTable(
  join(import.meta.dirname, '..', '..', 'bench', 'cost', 'prices-us-east-1.json'),
);
const DAY = 86_400;
/** The model's stated inputs (no template, no counts: the assumptions in bench/cost/inputs.ts). */
const stated: ModelInputs = resolveInputs(undefined, { retryLaneHops: retryLaneHops() }).inputs;
const before: ModelInputs = { ...stated, retryLaneHops: [] };
const quantity = (inputs: ModelInputs, price: string, failureRate = 1): number =>
  deliveryCost(inputs, prices, 'herald-fast-path', failureRate)
    .items.filter((i) => i.price === price)
    .reduce((s, i) => s + i.quantityPerMillion, 0) / 1_000_000;

describe('failure paths (issue 19)', () => {
  it('a day down costs the old design ~USD 575 per million, and the backlog under USD 5', () => {
    const old = perDeliveryWorkflows(prices, { seconds: DAY, perSecond: 50 });
    const after = backlogAndRecovery(prices, { seconds: DAY, perSecond: 50 });
    expect(old.perMillionUsd).toBeGreaterThan(500);
    expect(old.openExecutions).toBe(50 * DAY);
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

  it('before the lane, a first-attempt failure runs every retry in the workflow', () => {
    const failed = firstAttemptFails(before, prices);
    const { attempts, exhaustedProbability: e } = retryExpectation(stated);
    expect(failed.executionsPerDelivery).toBe(1);
    // Wait, Task, Choice a retry; Succeed, or SendToWebhookDlq and Fail.
    expect(failed.transitionsPerDelivery).toBeCloseTo(3 * attempts + (1 - e) + 2 * e, 9);
    expect(failed.invocationsPerDelivery).toBeCloseTo(attempts, 9);
    expect(failed.perMillionUsd).toBeGreaterThan(FIRST_ATTEMPT_FAILS_TARGET_USD * 5);
  });
});

describe('the retry lane (issue 19)', () => {
  it('takes the retries whose every jittered wait fits RETRY_LANE_MAX_WAIT_SECONDS, a hop per 15 min', () => {
    const hops = retryLaneHops();
    // ±20 % jitter: the lane ends at the first retry whose longest wait is over the limit.
    const inLane = RETRY_SCHEDULE_SECONDS.findIndex((s) => Math.ceil(s * 1.2) > RETRY_LANE_MAX_WAIT_SECONDS);
    expect(hops).toHaveLength(inLane);
    expect(inLane).toBe(3); // 5 s, 5 min, 30 min; 2 h onwards in the workflow
    hops.forEach((h, i) => {
      const scheduled = RETRY_SCHEDULE_SECONDS[i]!;
      expect(h).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((scheduled * 0.8) / SQS_MAX_DELAY_SECONDS)));
      expect(h).toBeLessThanOrEqual(Math.ceil((scheduled * 1.2) / SQS_MAX_DELAY_SECONDS));
    });
    // 30 min ± 20 %: at most 30 min (half the draws) is 2 hops, more is 3.
    expect(hops[2]).toBeCloseTo(2.5, 2);
    expect(retryLaneHops(0)).toEqual([]);
  });

  it('a retry in the lane costs no transitions: SQS hops and an invocation a hop instead', () => {
    // Every first retry succeeds: the delivery never leaves the lane.
    const once = { ...stated, retrySuccessRate: 1 };
    expect(quantity(once, 'stepFunctionsStandardTransition')).toBe(0);
    const hops = stated.retryLaneHops![0]!;
    expect(quantity(once, 'sqsStandardRequest')).toBeCloseTo(3 * hops, 9);
    expect(quantity(once, 'lambdaRequest')).toBeCloseTo(hops, 9);
    expect(firstAttemptFails(once, prices, 1).executionsPerDelivery).toBe(0);
    // The same retry before the lane: four transitions (Wait, Task, Choice, Succeed).
    expect(quantity({ ...before, retrySuccessRate: 1 }, 'stepFunctionsStandardTransition')).toBeCloseTo(4, 9);
  });

  it('keeps the workflow, unchanged, for the retries after the lane', () => {
    const q = 1 - stated.retrySuccessRate;
    const lane = stated.retryLaneHops!.length;
    const n = stated.retryAttempts;
    let workflowRetries = 0;
    let laneHops = 0;
    for (let k = 1; k <= n; k++) {
      if (k > lane) workflowRetries += q ** (k - 1);
      else laneHops += q ** (k - 1) * stated.retryLaneHops![k - 1]!;
    }
    const reached = q ** lane;
    const exhausted = q ** n;
    expect(quantity(stated, 'stepFunctionsStandardTransition')).toBeCloseTo(
      3 * workflowRetries + (reached - exhausted) + 2 * exhausted,
      9,
    );
    expect(firstAttemptFails(stated, prices).executionsPerDelivery).toBeCloseTo(reached, 9);
    // A send, a receive and a delete a hop (one message a batch), the DLQ send when exhausted.
    expect(quantity(stated, 'sqsStandardRequest')).toBeCloseTo(3 * laneHops + exhausted, 9);
    // Every retry, in the lane or the workflow, reads and writes what the attempt function does.
    expect(quantity(stated, 'dynamoWriteRequestUnit')).toBeCloseTo(
      quantity(before, 'dynamoWriteRequestUnit'),
      9,
    );
    expect(quantity(stated, 'dynamoReadRequestUnit')).toBeCloseTo(
      quantity(before, 'dynamoReadRequestUnit'),
      9,
    );
  });

  it('meets the target: at most USD 30 per million failed deliveries with the stated inputs', () => {
    const after = firstAttemptFails(stated, prices);
    const old = firstAttemptFails(before, prices);
    expect(after.perMillionUsd).toBeLessThanOrEqual(FIRST_ATTEMPT_FAILS_TARGET_USD);
    // What it saves is transitions, less what the lane's SQS requests and invocations add.
    const saved =
      (old.transitionsPerDelivery - after.transitionsPerDelivery) *
      unitPrice(prices, 'stepFunctionsStandardTransition') *
      1e6;
    const added =
      (quantity(stated, 'sqsStandardRequest') - quantity(before, 'sqsStandardRequest')) *
        unitPrice(prices, 'sqsStandardRequest') *
        1e6 +
      (after.invocationsPerDelivery - old.invocationsPerDelivery) * unitPrice(prices, 'lambdaRequest') * 1e6;
    // Durations differ by a few cents (re-sent hops, the send instead of StartExecution).
    expect(old.perMillionUsd - after.perMillionUsd).toBeCloseTo(saved - added, 0);
    const table = renderFailurePaths(stated, prices);
    expect(table).toContain('| endpoint down 5 days |');
    expect(table).toMatch(
      /at most \$30\.00 per million failed deliveries \| \$\d+\.\d\d \| \$\d+\.\d\d \| yes: /,
    );
  });
});
