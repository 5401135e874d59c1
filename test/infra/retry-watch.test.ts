/**
 * Issue 9.6, a delivery can never vanish: the rule that sends every retry-workflow execution ending
 * FAILED, TIMED_OUT or ABORTED to the retry watch, the watch's queue and function, and the alarm.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHerald, referencedId, resourceNamed, resourcesOf } from './support/template.js';

type Props = Record<string, unknown>;

describe('retry watch', () => {
  let template: Template;
  let rules: [string, Props][];
  let machineId: string;
  let recoveryId: string;
  let watchQueueId: string;
  let watchDlqId: string;

  beforeAll(() => {
    template = buildHerald();
    rules = resourcesOf(template, 'AWS::Events::Rule');
    machineId = resourcesOf(template, 'AWS::StepFunctions::StateMachine').find(([id]) =>
      id.startsWith('WebhooksRetryWorkflow'),
    )![0];
    recoveryId = resourcesOf(template, 'AWS::StepFunctions::StateMachine').find(([id]) =>
      id.startsWith('EndpointRecoveryWorkflow'),
    )![0];
    const ids = resourcesOf(template, 'AWS::SQS::Queue').map(([id]) => id);
    watchQueueId = ids.find((id) => /^RetryWatchWorkQueue[0-9A-F]{8}$/.test(id))!;
    watchDlqId = ids.find((id) => /^RetryWatchWorkDlq[0-9A-F]{8}$/.test(id))!;
    expect(watchQueueId).toBeDefined();
    expect(watchDlqId).toBeDefined();
  });

  it('has one rule on the retry and recovery workflows’ FAILED, TIMED_OUT and ABORTED status changes', () => {
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.State ?? 'ENABLED').toBe('ENABLED');
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [{ Ref: machineId }, { Ref: recoveryId }],
      },
    });
  });

  it('targets the watch queue with the whole event, its undeliverable events on the watch DLQ', () => {
    const targets = rules[0]![1].Targets as Props[];
    expect(targets).toHaveLength(1);
    const [target] = targets;
    expect(referencedId(target!.Arn)).toBe(watchQueueId);
    // No Input/InputTransformer: the watch (and the local runtime) read the event as EventBridge sends it.
    expect(target!.Input).toBeUndefined();
    expect(target!.InputTransformer).toBeUndefined();
    expect(referencedId((target!.DeadLetterConfig as Props).Arn)).toBe(watchDlqId);
    expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
  });

  it('lets EventBridge send to the watch queue and its DLQ, for this rule only', () => {
    const ruleArn = { 'Fn::GetAtt': [rules[0]![0], 'Arn'] };
    for (const queueId of [watchQueueId, watchDlqId]) {
      const statements = resourcesOf(template, 'AWS::SQS::QueuePolicy')
        .filter(([, p]) => (p.Queues as unknown[]).some((q) => referencedId(q) === queueId))
        .flatMap(([, p]) => (p.PolicyDocument as { Statement: Props[] }).Statement);
      const grants = statements.filter(
        (st) =>
          st.Effect === 'Allow' &&
          JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
      );
      expect(grants, queueId).toHaveLength(1);
      expect([grants[0]!.Action].flat(), queueId).toContain('sqs:SendMessage');
      expect(grants[0]!.Condition, queueId).toEqual({ ArnEquals: { 'aws:SourceArn': ruleArn } });
    }
  });

  it('consumes the queue with the retry-watch function, partial batch responses on', () => {
    const fn = resourceNamed(template, 'AWS::Lambda::Function', 'RetryWatchFunction');
    const env = (fn.Environment as { Variables: Props }).Variables;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['HERALD_TABLE', 'HERALD_WEBHOOK_DLQ_URL']));
    const mapping = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').find(
      ([, m]) => referencedId(m.EventSourceArn) === watchQueueId,
    );
    expect(mapping).toBeDefined();
    expect(mapping![1].FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('alarms when a retry workflow times out or is aborted, to the alarm topic, with a runbook', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.includes('RetryWorkflowEndedEarlyAlarm'),
    );
    expect(alarms).toHaveLength(1);
    const [, alarm] = alarms[0]!;
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(alarm.AlarmDescription).toMatch(/runbooks\/webhook-delivery-failing\.md/);
    const metrics = alarm.Metrics as Props[];
    const names = metrics.flatMap((m) =>
      m.MetricStat === undefined ? [] : [(m.MetricStat as { Metric: Props }).Metric.MetricName],
    );
    expect(names.sort()).toEqual(['ExecutionsAborted', 'ExecutionsTimedOut']);
    for (const m of metrics.filter((x) => x.MetricStat !== undefined)) {
      const metric = (m.MetricStat as { Metric: Props }).Metric;
      expect(metric.Namespace).toBe('AWS/States');
      expect(referencedId((metric.Dimensions as Props[])[0]!.Value)).toBe(machineId);
    }
  });

  it('lists the watch queue with the work queues (so /v1/dlq shows and redrives its DLQ)', () => {
    const management = resourceNamed(template, 'AWS::Lambda::Function', 'EventsApiManagement');
    const queues = JSON.stringify((management.Environment as { Variables: Props }).Variables.HERALD_QUEUES);
    expect(queues).toContain('retry-watch');
  });
});
