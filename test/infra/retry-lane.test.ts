/**
 * The retry lane (adrs/0013): its queue, DLQ and alarms, the consumer's event source and reserved
 * concurrency, and who may put a retry on it.
 */
import { describe, expect, it } from 'vitest';
import { buildHerald, referencedId, resourceNamed, resourcesOf } from './support/template.js';

const template = buildHerald();
const fn = (prefix: string) => resourceNamed(template, 'AWS::Lambda::Function', prefix);
const envOf = (prefix: string) =>
  (fn(prefix).Environment as { Variables: Record<string, unknown> }).Variables;

describe('retry lane', () => {
  it('is a work queue whose visibility covers six consumer timeouts, redriven to its DLQ after 5 receives', () => {
    const queue = resourceNamed(template, 'AWS::SQS::Queue', 'WebhooksRetryLaneQueue');
    const timeout = fn('WebhooksRetryLaneConsumer').Timeout as number;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(redrive.maxReceiveCount).toBe(5);
    expect(referencedId(redrive.deadLetterTargetArn)).toMatch(/^WebhooksRetryLaneDlq/);
  });

  it('alarms on its DLQ and on a message older than the longest hop (15 min) plus margin', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.startsWith('WebhooksRetryLane'),
    );
    const age = alarms.find(([id]) => id.includes('MessageAge'))?.[1];
    expect(age?.Threshold).toBe(20 * 60);
    expect(alarms.some(([id]) => id.includes('DlqDepth'))).toBe(true);
    for (const [, alarm] of alarms) expect(alarm.AlarmActions).toBeDefined();
  });

  it('is consumed in batches of 10 with partial batch responses, at most its reserved concurrency at once', () => {
    const [, mapping] = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').find(([, m]) =>
      String(referencedId(m.FunctionName)).startsWith('WebhooksRetryLaneConsumer'),
    )!;
    expect(referencedId(mapping.EventSourceArn)).toMatch(/^WebhooksRetryLaneQueue/);
    expect(mapping.BatchSize).toBe(10);
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const reserved = fn('WebhooksRetryLaneConsumer').ReservedConcurrentExecutions;
    expect(reserved).toBe(fn('WebhooksAttempt').ReservedConcurrentExecutions);
    expect(reserved).toBe(20);
    expect((mapping.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency).toBe(reserved);
  });

  it('is named to dispatch, the lane itself and recovery; the attempt function (in the workflow) has none', () => {
    for (const prefix of ['WebhooksDispatch', 'WebhooksRetryLaneConsumer', 'EndpointRecoveryStep']) {
      expect(referencedId(envOf(prefix).HERALD_RETRY_LANE_URL), prefix).toMatch(/^WebhooksRetryLaneQueue/);
    }
    expect(envOf('WebhooksAttempt').HERALD_RETRY_LANE_URL).toBeUndefined();
    // The lane starts the workflow for a long wait: it holds the workflow's ARN.
    expect(referencedId(envOf('WebhooksRetryLaneConsumer').HERALD_RETRY_STATE_MACHINE_ARN)).toMatch(
      /^WebhooksRetryWorkflow/,
    );
  });
});
