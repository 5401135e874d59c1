/**
 * The deployment settings issue 21 adds for cost: Lambda's system logs at WARN (with a context switch
 * back for debugging), the opt-in batching window of the job and dispatch event sources, and the
 * tables' provisioned-capacity mode (auto-scaling, throttling alarms, event sources sized to the
 * capacity; on-demand when the context is absent).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPACITY, eventSourceConcurrency, parseBatchingWindowSeconds } from '../../lib/capacity.js';
import { HeraldStack, type HeraldStackProps } from '../../lib/herald-stack.js';
import { referencedId, resourceNamed, resourcesOf } from './support/template.js';

function build(context: Record<string, unknown> = {}, props: HeraldStackProps = {}): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(new HeraldStack(app, 'Test', props));
}

/** Herald's own functions (CDK's helper functions carry no POWERTOOLS_SERVICE_NAME). */
function heraldFunctions(template: Template): [string, Record<string, unknown>][] {
  return resourcesOf(template, 'AWS::Lambda::Function').filter(([, p]) => {
    const variables = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    return variables?.POWERTOOLS_SERVICE_NAME !== undefined;
  });
}

describe('Lambda system log level', () => {
  it('is WARN on every Herald function by default, with JSON logs', () => {
    const functions = heraldFunctions(build());
    expect(functions.length).toBeGreaterThanOrEqual(7);
    for (const [id, props] of functions) {
      expect(props.LoggingConfig, id).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN' });
    }
  });

  it('follows -c herald:systemLogLevel=INFO (or DEBUG) for debugging', () => {
    for (const level of ['INFO', 'debug']) {
      for (const [id, props] of heraldFunctions(build({ 'herald:systemLogLevel': level }))) {
        expect((props.LoggingConfig as { SystemLogLevel: string }).SystemLogLevel, id).toBe(
          level.toUpperCase(),
        );
      }
    }
  });

  it('refuses a level Lambda does not have', () => {
    expect(() => build({ 'herald:systemLogLevel': 'TRACE' })).toThrow(/DEBUG, INFO or WARN/);
  });
});

describe('batching window (-c herald:batchingWindowSeconds)', () => {
  /** Each SQS event source with its queue's and its function's settings. */
  function eventSources(template: Template) {
    const all = template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>;
    return resourcesOf(template, 'AWS::Lambda::EventSourceMapping').map(([id, mapping]) => {
      const queue = all[referencedId(mapping.EventSourceArn)!]!.Properties!;
      const fn = all[referencedId(mapping.FunctionName)!]!.Properties!;
      return {
        id,
        window: mapping.MaximumBatchingWindowInSeconds as number | undefined,
        visibility: queue.VisibilityTimeout as number,
        timeout: fn.Timeout as number,
      };
    });
  }
  const jobOrDispatch = (id: string) => /^(WebhooksDispatch|Job)/.test(id);

  it('is off by default: no window on any event source, visibility six function timeouts', () => {
    const sources = eventSources(build());
    expect(sources.filter((s) => jobOrDispatch(s.id)).length).toBeGreaterThanOrEqual(2);
    for (const source of sources) {
      expect(source.window, source.id).toBeUndefined();
      expect(source.visibility, source.id).toBe(6 * source.timeout);
    }
  });

  it('sets the window on the job and dispatch queues only, and their visibility timeout allows for it', () => {
    for (const asGiven of ['3', 3]) {
      const sources = eventSources(build({ 'herald:batchingWindowSeconds': asGiven }));
      const windowed = sources.filter((s) => jobOrDispatch(s.id));
      expect(windowed.map((s) => s.id).some((id) => id.startsWith('WebhooksDispatch'))).toBe(true);
      expect(windowed.map((s) => s.id).some((id) => id.startsWith('Job'))).toBe(true);
      for (const source of windowed) {
        expect(source.window, source.id).toBe(3);
        // AWS: visibility ≥ 6 × the function timeout + the batching window.
        expect(source.visibility, source.id).toBe(6 * source.timeout + 3);
      }
      // The retry watch and anything else keep reacting at once.
      for (const source of sources.filter((s) => !jobOrDispatch(s.id))) {
        expect(source.window, source.id).toBeUndefined();
      }
    }
  });

  it('fails the synth with a clear message for anything but a whole number of seconds from 0 to 5', () => {
    for (const bad of ['6', -1, '1.5', 2.5, 'one', '']) {
      expect(() => build({ 'herald:batchingWindowSeconds': bad }), String(bad)).toThrow(
        /herald:batchingWindowSeconds must be a whole number of seconds from 0 to 5/,
      );
    }
    expect(parseBatchingWindowSeconds(undefined)).toBe(0);
    expect(parseBatchingWindowSeconds('0')).toBe(0);
    expect(parseBatchingWindowSeconds(5)).toBe(5);
    const zero = eventSources(build({ 'herald:batchingWindowSeconds': '0' }));
    expect(zero.every((s) => s.window === undefined)).toBe(true);
  });
});

describe('billing mode', () => {
  it('is on-demand by default: no provisioned throughput, no scaling, no throttle alarms', () => {
    const template = build();
    for (const [id, table] of resourcesOf(template, 'AWS::DynamoDB::Table')) {
      expect(table.BillingMode, id).toBe('PAY_PER_REQUEST');
      expect(table.ProvisionedThroughput, id).toBeUndefined();
    }
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    // The tables' throttle alarms (function throttle alarms exist in every mode, lib/observability.ts).
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      /^Tables.*ThrottleAlarm/.test(id),
    );
    expect(alarms).toEqual([]);
  });

  describe('provisioned (-c herald:billing=provisioned)', () => {
    const capacity = { ...DEFAULT_CAPACITY, minWriteCapacity: 10, maxWriteCapacity: 2_400 };
    const template = build({}, { billing: 'provisioned', capacity });

    it('provisions both tables and the list index at the minimum', () => {
      const main = resourceNamed(template, 'AWS::DynamoDB::Table', 'TablesMain');
      const idempotency = resourceNamed(template, 'AWS::DynamoDB::Table', 'TablesIdempotency');
      const minimum = { ReadCapacityUnits: 5, WriteCapacityUnits: 10 };
      for (const table of [main, idempotency]) {
        // CDK leaves out BillingMode for CloudFormation's default, PROVISIONED.
        expect(table.BillingMode).toBeUndefined();
        expect(table.ProvisionedThroughput).toEqual(minimum);
      }
      const [index] = main.GlobalSecondaryIndexes as { IndexName: string; ProvisionedThroughput: unknown }[];
      expect(index).toMatchObject({ IndexName: 'gsi1k', ProvisionedThroughput: minimum });
    });

    it('auto-scales reads and writes of each table and of the index, aiming at 50 % utilisation', () => {
      const targets = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
      const dimensions = targets.map(([, t]) => t.ScalableDimension).sort();
      expect(dimensions).toEqual([
        'dynamodb:index:ReadCapacityUnits',
        'dynamodb:index:WriteCapacityUnits',
        'dynamodb:table:ReadCapacityUnits',
        'dynamodb:table:ReadCapacityUnits',
        'dynamodb:table:WriteCapacityUnits',
        'dynamodb:table:WriteCapacityUnits',
      ]);
      for (const [id, target] of targets) {
        const writes = String(target.ScalableDimension).endsWith('WriteCapacityUnits');
        expect(target.MinCapacity, id).toBe(writes ? 10 : 5);
        expect(target.MaxCapacity, id).toBe(writes ? 2_400 : 1_000);
      }
      const policies = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy');
      expect(policies).toHaveLength(6);
      for (const [id, policy] of policies) {
        const config = policy.TargetTrackingScalingPolicyConfiguration as { TargetValue: number };
        expect(config.TargetValue, id).toBe(50);
      }
    });

    it('alarms on throttling of each table (reads, writes and index writes) to the alarm topic', () => {
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) =>
        /ThrottleAlarm/.test(id),
      );
      expect(alarms).toHaveLength(2);
      const topic = resourcesOf(template, 'AWS::SNS::Topic').find(([id]) => /AlarmTopic/.test(id))![0];
      for (const [id, alarm] of alarms) {
        expect(alarm.AlarmActions, id).toEqual([{ Ref: topic }]);
        const names = (alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
          .flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []))
          .sort();
        expect(names.slice(0, 2), id).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
      }
      const mainAlarm = alarms.find(([id]) => /Main/.test(id))![1];
      const dimensions = (
        mainAlarm.Metrics as { MetricStat?: { Metric: { Dimensions: { Name: string }[] } } }[]
      ).flatMap((m) => m.MetricStat?.Metric.Dimensions.map((d) => d.Name) ?? []);
      expect(dimensions).toContain('GlobalSecondaryIndexName');
    });

    it('caps every SQS event source at the concurrency the write ceiling can take', () => {
      const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
      expect(mappings.length).toBeGreaterThanOrEqual(3);
      const onDemand = new Map(
        resourcesOf(build(), 'AWS::Lambda::EventSourceMapping').map(([id, m]) => [
          id,
          (m.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency,
        ]),
      );
      for (const [id, mapping] of mappings) {
        const configured = onDemand.get(id)!;
        const expected = eventSourceConcurrency(capacity, configured, mappings.length);
        expect((mapping.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency, id).toBe(
          expected,
        );
        expect(expected).toBeLessThanOrEqual(configured);
      }
      // 2,400 WCU shared by the queues' consumers at 4 writes × 50 messages a second each.
      const dispatch = mappings.find(([id]) => /WebhooksDispatch/.test(id))![1];
      expect((dispatch.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency).toBe(
        Math.max(2, Math.floor(2_400 / mappings.length / 200)),
      );
    });
  });

  it('parses -c herald:billing and the capacity context (lib/capacity.ts, as bin/app.ts does)', async () => {
    const { parseBilling, parseCapacity } = await import('../../lib/capacity.js');
    expect(parseBilling(undefined)).toBe('on-demand');
    expect(parseBilling('provisioned')).toBe('provisioned');
    expect(() => parseBilling('reserved')).toThrow(/on-demand" or "provisioned/);
    const context: Record<string, unknown> = {
      'herald:maxWriteCapacity': '400',
      'herald:targetUtilization': 70,
    };
    expect(parseCapacity((key) => context[key])).toEqual({
      ...DEFAULT_CAPACITY,
      maxWriteCapacity: 400,
      targetUtilizationPercent: 70,
    });
    expect(() =>
      parseCapacity((key) => ({ 'herald:minWriteCapacity': 50, 'herald:maxWriteCapacity': 10 })[key]),
    ).toThrow(/must not exceed/);
    expect(() => parseCapacity((key) => ({ 'herald:targetUtilization': 95 })[key])).toThrow(/20 to 90/);
  });
});
