import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../lib/jobs.js';
import {
  buildHerald,
  jobResources,
  PLATFORM_DEAD_LETTER_QUEUES,
  PLATFORM_WORK_QUEUES,
  referencedId,
  resourceNamed,
  resourcesOf,
} from './support/template.js';

type Props = Record<string, unknown>;

describe('queues, event sources and alarms', () => {
  let template: Template;
  let queues: [string, Props][];
  let workQueues: [string, Props][];
  let deadLetterQueues: [string, Props][];
  let alarms: [string, Props][];

  beforeAll(() => {
    template = buildHerald();
    queues = resourcesOf(template, 'AWS::SQS::Queue');
    workQueues = queues.filter(([, props]) => props.RedrivePolicy !== undefined);
    // Everything that is not a work queue is a dead-letter queue: the redrive targets and the webhook DLQ.
    deadLetterQueues = queues.filter(([, props]) => props.RedrivePolicy === undefined);
    alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
  });

  const alarmsOn = (queueId: string, metricName: string): Props[] =>
    alarms
      .map(([, props]) => props)
      .filter((props) => {
        const dimensions = (props.Dimensions ?? []) as { Name: string; Value: unknown }[];
        return (
          props.Namespace === 'AWS/SQS' &&
          props.MetricName === metricName &&
          dimensions.some((d) => d.Name === 'QueueName' && referencedId(d.Value) === queueId)
        );
      });

  describe('work queues', () => {
    it('are the dispatch queue, the retry watch queue and one per declared job, each with its own DLQ', () => {
      expect(workQueues).toHaveLength(PLATFORM_WORK_QUEUES.length + jobs.length);
      expect(deadLetterQueues).toHaveLength(PLATFORM_DEAD_LETTER_QUEUES.length + jobs.length);
      const targets = workQueues.map(([, props]) => {
        const redrive = props.RedrivePolicy as { deadLetterTargetArn: unknown };
        return referencedId(redrive.deadLetterTargetArn);
      });
      expect(new Set(targets).size).toBe(workQueues.length);
    });

    it('redrive to a DLQ of this stack with an explicit maxReceiveCount', () => {
      const dlqIds = new Set(deadLetterQueues.map(([id]) => id));
      for (const [id, props] of workQueues) {
        const redrive = props.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: unknown };
        expect(dlqIds.has(referencedId(redrive.deadLetterTargetArn) ?? ''), id).toBe(true);
        // 5 unless a job declares its own (lib/jobs.ts).
        const declared = jobs.find((j) => id.startsWith(jobResources(j.name).queue));
        expect(redrive.maxReceiveCount, id).toBe(declared?.maxReceiveCount ?? 5);
      }
    });

    it('have a visibility timeout of at least 6 × the consuming function timeout', () => {
      const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(workQueues.length);
      const functions = new Map(resourcesOf(template, 'AWS::Lambda::Function'));
      for (const [id, props] of workQueues) {
        const mapping = mappings.find(([, m]) => referencedId(m.EventSourceArn) === id);
        expect(mapping, `event source mapping for ${id}`).toBeDefined();
        const consumer = functions.get(referencedId(mapping![1].FunctionName) ?? '');
        const timeout = consumer?.Timeout as number;
        expect(timeout).toBeGreaterThan(0);
        expect(props.VisibilityTimeout as number, id).toBeGreaterThanOrEqual(6 * timeout);
      }
    });

    it('alarm on the age of their oldest message', () => {
      for (const [id] of workQueues) {
        expect(alarmsOn(id, 'ApproximateAgeOfOldestMessage'), id).toHaveLength(1);
      }
    });
  });

  describe('dead-letter queues', () => {
    it('alarm as soon as one message is visible', () => {
      for (const [id] of deadLetterQueues) {
        const [alarm, ...others] = alarmsOn(id, 'ApproximateNumberOfMessagesVisible');
        expect(others, id).toHaveLength(0);
        expect(alarm, id).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    });

    it('keep messages for 14 days, the SQS maximum', () => {
      for (const [id, props] of deadLetterQueues) expect(props.MessageRetentionPeriod, id).toBe(1_209_600);
    });
  });

  describe('every queue', () => {
    it('is encrypted at rest', () => {
      for (const [id, props] of queues) {
        const encrypted = props.SqsManagedSseEnabled === true || props.KmsMasterKeyId !== undefined;
        expect(encrypted, id).toBe(true);
      }
    });

    it('denies every action over plain HTTP', () => {
      const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy');
      for (const [id] of queues) {
        const statements = policies
          .filter(([, p]) => (p.Queues as unknown[]).some((q) => referencedId(q) === id))
          .flatMap(([, p]) => (p.PolicyDocument as { Statement: Props[] }).Statement);
        expect(statements, id).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });
  });

  describe('alarms', () => {
    it('all notify the alarm topic', () => {
      const alarmTopic = resourcesOf(template, 'AWS::SNS::Topic').find(
        ([, props]) => props.DisplayName === 'Herald alarms',
      );
      expect(alarmTopic).toBeDefined();
      expect(alarms.length).toBeGreaterThanOrEqual(2 * workQueues.length + 1);
      for (const [id, props] of alarms) {
        expect(props.AlarmActions, id).toEqual([{ Ref: alarmTopic![0] }]);
      }
    });

    it('include failed retry workflow executions', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsFailed',
        Threshold: 1,
      });
    });

    it('point at a runbook', () => {
      for (const [id, props] of alarms) expect(props.AlarmDescription, id).toMatch(/runbooks\/[a-z-]+\.md/);
    });
  });

  describe('event source mappings', () => {
    it('report batch item failures and cap concurrency', () => {
      const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
      expect(mappings.length).toBeGreaterThan(0);
      for (const [id, props] of mappings) {
        expect(props.FunctionResponseTypes, id).toEqual(['ReportBatchItemFailures']);
        const scaling = props.ScalingConfig as { MaximumConcurrency?: number } | undefined;
        expect(scaling?.MaximumConcurrency, id).toBeGreaterThanOrEqual(2);
      }
    });

    it('use the declared batch size and concurrency of every job and of dispatch', () => {
      for (const job of jobs) {
        const queue = queues.find(([id]) =>
          new RegExp(`^${jobResources(job.name).queue}[0-9A-F]{8}$`).test(id),
        );
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [queue![0], 'Arn'] },
          BatchSize: job.batchSize ?? 10,
          ScalingConfig: { MaximumConcurrency: job.maxConcurrency ?? 10 },
        });
      }
      const dispatchQueue = queues.find(([id]) => /^WebhooksDispatchQueue[0-9A-F]{8}$/.test(id));
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [dispatchQueue![0], 'Arn'] },
        ScalingConfig: { MaximumConcurrency: 20 },
      });
    });
  });

  describe('subscriptions to the events topic', () => {
    it('filter each job on the `type` attribute to its declared types, with raw delivery', () => {
      for (const job of jobs) {
        const prefix = jobResources(job.name).queue;
        expect(resourceNamed(template, 'AWS::SQS::Queue', prefix)).toBeDefined();
        const subscriptions = resourcesOf(template, 'AWS::SNS::Subscription').filter(([, s]) =>
          new RegExp(`^${prefix}[0-9A-F]{8}$`).test(String(referencedId(s.Endpoint))),
        );
        expect(subscriptions, job.name).toHaveLength(1);
        expect(subscriptions[0]![1]).toMatchObject({
          Protocol: 'sqs',
          RawMessageDelivery: true,
          FilterPolicy: { type: [...job.eventTypes] },
        });
        expect(subscriptions[0]![1].FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
      }
    });

    it('give dispatch every event, unfiltered and raw', () => {
      const subscriptions = resourcesOf(template, 'AWS::SNS::Subscription').filter(([, s]) =>
        /WebhooksDispatchQueue/.test(String(referencedId(s.Endpoint))),
      );
      expect(subscriptions).toHaveLength(1);
      expect(subscriptions[0]![1]).toMatchObject({ Protocol: 'sqs', RawMessageDelivery: true });
      expect(subscriptions[0]![1].FilterPolicy).toBeUndefined();
    });

    it('exist only for work queues (DLQs are never subscribed)', () => {
      // The retry watch's queue is fed by an EventBridge rule, not by the events topic.
      // The retry watch is fed by EventBridge, the retry lane by the delivery functions.
      const fedByTopic = workQueues.filter(
        ([id]) => !id.startsWith('RetryWatch') && !id.startsWith('WebhooksRetryLane'),
      );
      const workIds = new Set(fedByTopic.map(([id]) => id));
      const sqsSubscriptions = resourcesOf(template, 'AWS::SNS::Subscription').filter(
        ([, s]) => s.Protocol === 'sqs',
      );
      expect(sqsSubscriptions).toHaveLength(fedByTopic.length);
      for (const [id, s] of sqsSubscriptions)
        expect(workIds.has(referencedId(s.Endpoint) ?? ''), id).toBe(true);
    });
  });
});
