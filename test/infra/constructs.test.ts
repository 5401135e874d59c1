import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackgroundJob } from '../../lib/background-job.js';
import type { JobDeclaration } from '../../lib/jobs.js';
import { HeraldTables } from '../../lib/tables.js';
import { WorkQueue, type WorkQueueProps } from '../../lib/work-queue.js';
import { buildHerald, resourceNamed, resourcesOf } from './support/template.js';

/** A stack that never bundles: these constructs throw before (or without) building a function. */
const emptyStack = (): Stack => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'T');

const workQueue = (props: Partial<WorkQueueProps>) => () =>
  new WorkQueue(emptyStack(), 'Q', { consumerTimeout: Duration.seconds(30), ...props });

const job = (overrides: Partial<JobDeclaration>) => () => {
  const stack = emptyStack();
  const tables = new HeraldTables(stack, 'Tables');
  return new BackgroundJob(stack, 'Job', {
    job: {
      name: 'thumbnails',
      eventTypes: ['image.uploaded'],
      entry: 'lambdas/jobs/invoice.handler.ts',
      ...overrides,
    },
    eventsTopic: new Topic(stack, 'Events'),
    mainTable: tables.main,
    idempotencyTable: tables.idempotency,
  });
};

describe('WorkQueue props', () => {
  it('refuses a maxReceiveCount that is not 1–1000', () => {
    expect(workQueue({ maxReceiveCount: 0 })).toThrow(/maxReceiveCount must be an integer from 1 to 1000/);
    expect(workQueue({ maxReceiveCount: 1001 })).toThrow(/maxReceiveCount/);
    expect(workQueue({ maxReceiveCount: 2.5 })).toThrow(/maxReceiveCount/);
  });

  it('refuses a consumer timeout outside Lambda’s 1 s – 15 min', () => {
    expect(workQueue({ consumerTimeout: Duration.seconds(0) })).toThrow(
      /consumerTimeout must be 1 s to 15 min/,
    );
    expect(workQueue({ consumerTimeout: Duration.seconds(901) })).toThrow(/consumerTimeout/);
  });

  it('derives the visibility timeout from the consumer timeout and batching window', () => {
    const stack = emptyStack();
    new WorkQueue(stack, 'Q', {
      consumerTimeout: Duration.seconds(60),
      maxBatchingWindow: Duration.seconds(5),
      maxReceiveCount: 3,
    });
    const queue = resourceNamed(Template.fromStack(stack), 'AWS::SQS::Queue', 'QQueue');
    expect(queue.VisibilityTimeout).toBe(6 * 60 + 5);
    expect(queue.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
  });

  it('exposes its queue, DLQ and both alarms', () => {
    const stack = emptyStack();
    const wq = new WorkQueue(stack, 'Q', { consumerTimeout: Duration.seconds(10), maxReceiveCount: 4 });
    expect(wq.maxReceiveCount).toBe(4);
    expect(wq.alarms).toEqual([wq.dlqDepthAlarm, wq.messageAgeAlarm]);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(resourceNamed(template, 'AWS::SQS::Queue', 'QDlq').MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('caps the visibility timeout at the SQS maximum of 12 hours', () => {
    const stack = emptyStack();
    new WorkQueue(stack, 'Q', {
      consumerTimeout: Duration.minutes(15),
      maxBatchingWindow: Duration.hours(11),
    });
    const queue = resourceNamed(Template.fromStack(stack), 'AWS::SQS::Queue', 'QQueue');
    expect(queue.VisibilityTimeout).toBe(43_200);
  });
});

describe('BackgroundJob props', () => {
  it('refuses a job name that is not lower-case kebab of at most 40 characters', () => {
    for (const name of ['', 'Invoice', '1job', 'bad_name', 'a'.repeat(41)]) {
      expect(job({ name }), name).toThrow(/Job name ".*" must match/);
    }
  });

  it('refuses a job without event types', () => {
    expect(job({ eventTypes: [] })).toThrow(/must take at least one event type/);
  });

  it('refuses a maxConcurrency the SQS event source cannot take', () => {
    expect(job({ maxConcurrency: 1 })).toThrow(/maxConcurrency must be 2–1000/);
    expect(job({ maxConcurrency: 1001 })).toThrow(/maxConcurrency/);
  });

  it('refuses a batch size outside 1–10000', () => {
    expect(job({ batchSize: 0 })).toThrow(/batchSize must be 1–10000/);
    expect(job({ batchSize: 10_001 })).toThrow(/batchSize/);
  });

  it('refuses a timeout over 15 minutes (through its WorkQueue)', () => {
    expect(job({ timeoutSeconds: 901 })).toThrow(/consumerTimeout/);
  });
});

describe('a stack with an extra declared job', () => {
  let template: Template;
  beforeAll(() => {
    template = buildHerald({
      jobs: [
        { name: 'invoice', eventTypes: ['order.placed'], entry: 'lambdas/jobs/invoice.handler.ts' },
        {
          name: 'thumbnails',
          eventTypes: ['image.uploaded', 'image.replaced'],
          entry: 'lambdas/jobs/invoice.handler.ts',
          batchSize: 100,
          maxConcurrency: 4,
          timeoutSeconds: 60,
          maxReceiveCount: 3,
        },
      ],
    });
  });

  it('gives the job its own filtered subscription, queue, DLQ, alarms and event source', () => {
    const queue = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) =>
      /^JobthumbnailsWorkQueue[0-9A-F]{8}$/.test(id),
    );
    expect(queue).toBeDefined();
    const [queueId, queueProps] = queue!;
    // A batch above 10 needs a batching window; visibility covers it.
    expect(queueProps.VisibilityTimeout).toBe(6 * 60 + 1);
    expect(queueProps.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      RawMessageDelivery: true,
      FilterPolicy: { type: ['image.uploaded', 'image.replaced'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
    const fn = resourceNamed(template, 'AWS::Lambda::Function', 'JobthumbnailsHandler');
    expect(fn.Timeout).toBe(60);
  });

  it('lists the job queue in management’s HERALD_QUEUES', () => {
    const management = resourceNamed(template, 'AWS::Lambda::Function', 'EventsApiManagement');
    const queues = JSON.stringify(management.Environment);
    expect(queues).toContain('\\"name\\":\\"job-thumbnails\\"');
    expect(queues).toMatch(/JobthumbnailsWorkDlq[0-9A-F]{8}/);
  });
});
