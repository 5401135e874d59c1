import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type JobDeclaration, jobs } from '../../lib/jobs.js';
import { grantLines, grantsOfRole, roleOfFunction } from './support/iam.js';
import {
  buildHerald,
  environmentOf,
  jobResources,
  joinWithPlaceholders,
  referencedId,
  resourceNamed,
  resourcesOf,
} from './support/template.js';

/**
 * The README's promise — one handler file and one declaration — checked the way a newcomer adds a job:
 * the stack built with one more declared job gets everything a job needs, and nothing else changes.
 */
const welcome: JobDeclaration = {
  name: 'welcome',
  eventTypes: ['user.signed_up'],
  // Any handler file will do: bundling is off, and the declaration is what is under test.
  entry: 'lambdas/jobs/invoice.handler.ts',
  batchSize: 5,
  maxConcurrency: 3,
  timeoutSeconds: 20,
  maxReceiveCount: 3,
};
const ids = jobResources(welcome.name);
const isId = (prefix: string) => (id: string | undefined) =>
  new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id ?? '');

describe('a stack with one more declared job', () => {
  let base: Template;
  let template: Template;
  let queueId: string;
  let dlqId: string;
  let fnId: string;

  beforeAll(() => {
    base = buildHerald();
    template = buildHerald({ jobs: [...jobs, welcome] });
    const id = (type: string, prefix: string) =>
      resourcesOf(template, type).find(([i]) => isId(prefix)(i))![0];
    queueId = id('AWS::SQS::Queue', ids.queue);
    dlqId = id('AWS::SQS::Queue', ids.dlq);
    fnId = id('AWS::Lambda::Function', ids.fn);
  });

  const count = (t: Template, type: string) => resourcesOf(t, type).length;

  it('has exactly one more function, two more queues, one more subscription and mapping, four more alarms', () => {
    const added = (type: string) => count(template, type) - count(base, type);
    expect(added('AWS::Lambda::Function')).toBe(1);
    expect(added('AWS::SQS::Queue')).toBe(2);
    expect(added('AWS::SNS::Subscription')).toBe(1);
    expect(added('AWS::Lambda::EventSourceMapping')).toBe(1);
    // Its DLQ depth and message age; its function's throttles and errors.
    expect(added('AWS::CloudWatch::Alarm')).toBe(4);
    expect(added('AWS::CloudWatch::Dashboard')).toBe(0);
  });

  it('subscribes its queue to the events topic, filtered on its event types, raw', () => {
    const subscriptions = resourcesOf(template, 'AWS::SNS::Subscription').filter(([, s]) =>
      isId(ids.queue)(referencedId(s.Endpoint)),
    );
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]![1]).toMatchObject({
      Protocol: 'sqs',
      RawMessageDelivery: true,
      FilterPolicy: { type: ['user.signed_up'] },
    });
  });

  it('gives the queue a DLQ with the declared maxReceiveCount and a visibility of 6 × the timeout', () => {
    const queue = resourceNamed(template, 'AWS::SQS::Queue', ids.queue);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 3,
    });
    expect(queue.VisibilityTimeout).toBe(6 * 20);
    expect(resourceNamed(template, 'AWS::SQS::Queue', ids.dlq).MessageRetentionPeriod).toBe(1_209_600);
  });

  it('makes its function: its name, its DLQ and the tables in the environment, the declared timeout', () => {
    const fn = resourceNamed(template, 'AWS::Lambda::Function', ids.fn);
    expect(fn.Timeout).toBe(20);
    expect(environmentOf(fn)).toMatchObject({
      HERALD_JOB_NAME: 'welcome',
      HERALD_JOB_DLQ_URL: { Ref: dlqId },
      HERALD_TABLE: { Ref: expect.stringMatching(/^TablesMain[0-9A-F]{8}$/) },
      HERALD_IDEMPOTENCY_TABLE: { Ref: expect.stringMatching(/^TablesIdempotency[0-9A-F]{8}$/) },
    });
  });

  it('maps the queue to the function with partial batch responses, the declared batch size and concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: fnId },
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 3 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the function consume its queue and send to its DLQ, nothing of another job', () => {
    const lines = grantLines(grantsOfRole(template, roleOfFunction(template, ids.fn)));
    expect(lines).toEqual(
      expect.arrayContaining([`sqs:ReceiveMessage ${ids.queue}`, `sqs:SendMessage ${ids.dlq}`]),
    );
    const others = jobs.flatMap((j) => [jobResources(j.name).queue, jobResources(j.name).dlq]);
    for (const line of lines) for (const other of others) expect(line).not.toContain(` ${other}`);
  });

  it('alarms on its DLQ depth and its oldest message', () => {
    const on = (queue: string, metric: string) =>
      resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(
        ([, a]) =>
          a.MetricName === metric &&
          ((a.Dimensions ?? []) as { Value: unknown }[]).some((d) => referencedId(d.Value) === queue),
      );
    expect(on(dlqId, 'ApproximateNumberOfMessagesVisible')).toHaveLength(1);
    expect(on(queueId, 'ApproximateAgeOfOldestMessage')).toHaveLength(1);
  });

  it('graphs its queue and DLQ on the dashboard, and lists them for /v1/dlq', () => {
    const [, dashboard] = resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = joinWithPlaceholders(dashboard.DashboardBody);
    expect(body).toContain(`TOKEN(${queueId})`);
    expect(body).toContain(`TOKEN(${dlqId})`);
    expect(body).toContain('job-welcome visible');
    const management = resourceNamed(template, 'AWS::Lambda::Function', 'EventsApiManagement');
    const listed = JSON.stringify(environmentOf(management).HERALD_QUEUES);
    expect(listed).toContain('\\"name\\":\\"job-welcome\\"');
    expect(listed).toContain('\\"dlqName\\":\\"job-welcome-dlq\\"');
  });
});
