import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildOverrides,
  LocalStepFunctions,
  statusChangeEvent,
  type TaskServices,
} from '../../local/step-functions.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:retry';
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:attempt';

// Shaped like Herald's retry workflow: Lambda task with a Retry, Choice, sqs:sendMessage, Fail.
const definition = {
  StartAt: 'AttemptDelivery',
  States: {
    AttemptDelivery: {
      Type: 'Task',
      Resource: FN,
      Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 2 }],
      Next: 'IsDelivered',
    },
    IsDelivered: {
      Type: 'Choice',
      Choices: [{ Variable: '$.outcome', StringEquals: 'delivered', Next: 'Delivered' }],
      Default: 'SendToWebhookDlq',
    },
    Delivered: { Type: 'Succeed' },
    SendToWebhookDlq: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Parameters: { QueueUrl: 'http://q/dlq', 'MessageBody.$': '$' },
      Next: 'Exhausted',
    },
    Exhausted: { Type: 'Fail', Error: 'DeliveryExhausted', Cause: 'retries exhausted' },
  },
} as unknown as StateMachineDefinition;

describe('local Step Functions endpoint', () => {
  let sfn: LocalStepFunctions | undefined;
  let client: SFNClient | undefined;
  afterEach(async () => {
    client?.destroy();
    await sfn?.close();
  });

  const start = async (services: TaskServices) => {
    sfn = new LocalStepFunctions(
      new Map([[ARN, { logicalId: 'Retry', arn: ARN, name: 'retry', definition }]]),
      services,
      0.01,
    );
    client = new SFNClient({
      endpoint: await sfn.listen(0),
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    return client;
  };
  const finished = async (c: SFNClient, executionArn: string) => {
    for (;;) {
      const d = await c.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') return d;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('StartExecution twice with one name → ExecutionAlreadyExists; the Lambda task runs locally', async () => {
    const invoked: unknown[] = [];
    const c = await start({
      invokeFunction: async (arn, payload) => {
        invoked.push([arn, payload]);
        return { outcome: 'delivered' };
      },
      sendMessage: async () => ({}),
      publish: async () => ({}),
    });
    const { executionArn } = await c.send(
      new StartExecutionCommand({ stateMachineArn: ARN, name: 'evt-ep-g1', input: '{"eventId":"e"}' }),
    );
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:retry:evt-ep-g1');
    await expect(
      c.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'evt-ep-g1', input: '{}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(
      c.send(new StartExecutionCommand({ stateMachineArn: `${ARN}x`, input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    expect((await finished(c, executionArn ?? '')).status).toBe('SUCCEEDED');
    expect(invoked).toEqual([[FN, { eventId: 'e' }]]);
  });

  it('retries Lambda errors with scaled intervals, plays sqs:sendMessage and reports the Fail state', async () => {
    let calls = 0;
    const sent: unknown[] = [];
    const c = await start({
      invokeFunction: async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('throttled'), { name: 'Lambda.ServiceException' });
        return { outcome: 'failed' };
      },
      sendMessage: async (input) => {
        sent.push(input);
        return { MessageId: 'm1' };
      },
      publish: async () => ({}),
    });
    const startedAt = Date.now();
    const { executionArn } = await c.send(
      new StartExecutionCommand({ stateMachineArn: ARN, input: '{"eventId":"e2"}' }),
    );
    const d = await finished(c, executionArn ?? '');
    expect(Date.now() - startedAt).toBeLessThan(1500); // IntervalSeconds 2 × 0.01
    expect(calls).toBe(2);
    expect(d).toMatchObject({ status: 'FAILED', error: 'DeliveryExhausted', cause: 'retries exhausted' });
    expect(sent).toEqual([{ QueueUrl: 'http://q/dlq', MessageBody: { outcome: 'failed' } }]);
  });

  it('emits an EventBridge status-change event at start and at the end, TIMED_OUT from TimeoutSeconds', async () => {
    const events: ReturnType<typeof statusChangeEvent>[] = [];
    sfn = new LocalStepFunctions(
      new Map([
        [
          ARN,
          {
            logicalId: 'Retry',
            arn: ARN,
            name: 'retry',
            definition: {
              StartAt: 'Hold',
              TimeoutSeconds: 1,
              States: { Hold: { Type: 'Wait', Seconds: 60, End: true } },
            } as unknown as StateMachineDefinition,
          },
        ],
      ]),
      { invokeFunction: async () => ({}), sendMessage: async () => ({}), publish: async () => ({}) },
      1,
    );
    sfn.onStatusChange = (e) => events.push(statusChangeEvent(e, 'us-east-1', '000000000000'));
    const execution = sfn.startExecution(ARN, 'evt_1-ep_1-g0', '{"eventId":"evt_1"}');
    for (let i = 0; i < 100 && execution.status === 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 50));

    expect(execution.status).toBe('TIMED_OUT');
    expect(events.map((e) => e.detail.status)).toEqual(['RUNNING', 'TIMED_OUT']);
    expect(events[1]).toMatchObject({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      resources: [execution.executionArn],
      detail: {
        name: 'evt_1-ep_1-g0',
        stateMachineArn: ARN,
        input: '{"eventId":"evt_1"}',
      },
    });
    expect(typeof events[1]!.detail.stopDate).toBe('number');
  });

  it('emits no ABORTED events for executions stopped by closing the runtime', async () => {
    const events: string[] = [];
    sfn = new LocalStepFunctions(
      new Map([
        [
          ARN,
          {
            logicalId: 'Retry',
            arn: ARN,
            name: 'retry',
            definition: {
              StartAt: 'Hold',
              States: { Hold: { Type: 'Wait', Seconds: 60, End: true } },
            } as unknown as StateMachineDefinition,
          },
        ],
      ]),
      { invokeFunction: async () => ({}), sendMessage: async () => ({}), publish: async () => ({}) },
      1,
    );
    sfn.onStatusChange = (e) => events.push(e.status);
    const execution = sfn.startExecution(ARN, 'held', '{}');
    await sfn.close();
    await new Promise((r) => setTimeout(r, 50));
    sfn = undefined;
    expect(execution.status).toBe('ABORTED');
    expect(events).toEqual(['RUNNING']);
  });

  it('scales retry intervals and static waits, and leaves SecondsPath waits to the app', () => {
    const o = buildOverrides(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Wait', Seconds: 10, Next: 'B' },
          B: { Type: 'Wait', SecondsPath: '$.w', Next: 'C' },
          C: {
            Type: 'Task',
            Resource: FN,
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3 }],
            End: true,
          },
        },
      } as unknown as StateMachineDefinition,
      { invokeFunction: async () => ({}), sendMessage: async () => ({}), publish: async () => ({}) },
      0.1,
    );
    expect(o.waitTimeOverrides).toEqual({ A: 1000 });
    expect(o.retryIntervalOverrides).toEqual({ C: [300] });
    expect(Object.keys(o.taskResourceLocalHandlers)).toEqual(['C']);
  });
});

describe('TimestampPath waits (issue 20: no TimeoutNegativeWarning)', () => {
  it('a wait whose time has passed goes on at once, without a negative timer', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const { StateMachine } = await import('aws-local-stepfunctions');
      const { withLocalWaits, buildOverrides } = await import('../../local/step-functions.js');
      const definition = {
        StartAt: 'W',
        States: {
          W: { Type: 'Wait', TimestampPath: '$.waitUntil', Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      } as const;
      const played = withLocalWaits(definition as never);
      const sm = new StateMachine(played, { validationOptions: { checkArn: false, checkPaths: false } });
      const services = {
        invokeFunction: async () => ({}),
        sendMessage: async () => ({}),
        publish: async () => ({}),
      };
      const past = new Date(Date.now() - 5_000).toISOString();
      const output = await sm.run(
        { waitUntil: past, keep: 1 },
        { overrides: buildOverrides(played, services, 1) },
      ).result;
      // The input passes through the played wait unchanged.
      expect(output).toEqual({ waitUntil: past, keep: 1 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('TimeoutNegativeWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
