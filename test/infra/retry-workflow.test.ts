import { beforeAll, describe, expect, it } from 'vitest';
import { ATTEMPT_ALLOWANCE_SECONDS, RETRY_WORKFLOW_TIMEOUT_SECONDS } from '../../lambdas/webhooks/backoff.js';
import { buildHerald, joinWithPlaceholders, resourcesOf } from './support/template.js';

interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly [key: string]: unknown;
}

interface Definition {
  readonly StartAt: string;
  readonly States: Record<string, State>;
}

describe('retry workflow', () => {
  let machine: Record<string, unknown>;
  let definition: Definition;
  const state = (name: string): State => {
    const found = definition.States[name];
    if (!found) throw new Error(`No state ${name}`);
    return found;
  };

  beforeAll(() => {
    // The retry workflow and the endpoint recovery (test/infra/endpoint-recovery.test.ts).
    const machines = resourcesOf(buildHerald(), 'AWS::StepFunctions::StateMachine');
    expect(machines.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'EndpointRecoveryWorkflow',
      'WebhooksRetryWorkflow',
    ]);
    machine = machines.find(([id]) => id.startsWith('WebhooksRetryWorkflow'))![1];
    definition = JSON.parse(joinWithPlaceholders(machine.DefinitionString)) as Definition;
  });

  it('is a Standard workflow (waits of hours need it) with a bounded lifetime', () => {
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(definition).toMatchObject({ TimeoutSeconds: 3 * 24 * 3600 });
    expect(RETRY_WORKFLOW_TIMEOUT_SECONDS).toBe(3 * 24 * 3600);
  });

  it('scales its timeout with the retry waits (herald:retryTimeScale), so tests can run out of time', () => {
    const scaled = resourcesOf(buildHerald({ retryTimeScale: 0.001 }), 'AWS::StepFunctions::StateMachine');
    const scaledDefinition = JSON.parse(joinWithPlaceholders(scaled[0]![1].DefinitionString)) as {
      TimeoutSeconds: number;
    };
    expect(scaledDefinition.TimeoutSeconds).toBe(259);
  });

  it('has exactly the states docs/internals.md names, starting with the wait', () => {
    expect(Object.keys(definition.States).sort()).toEqual(
      [
        'AttemptDelivery',
        'Delivered',
        'Exhausted',
        'IsDelivered',
        'RecordPlatformFailure',
        'SendToWebhookDlq',
        'WaitForNextAttempt',
      ].sort(),
    );
    expect(definition.StartAt).toBe('WaitForNextAttempt');
  });

  it('waits until the due time the attempt function computed', () => {
    expect(state('WaitForNextAttempt')).toEqual({
      Type: 'Wait',
      TimestampPath: '$.waitUntil',
      Next: 'AttemptDelivery',
    });
  });

  it('invokes the attempt function directly, so its output is the payload alone', () => {
    const attempt = state('AttemptDelivery');
    expect(attempt.Type).toBe('Task');
    // payloadResponseOnly: the Resource is the function ARN itself, not the lambda:invoke integration.
    expect(attempt.Resource).toMatch(/^TOKEN\(WebhooksAttempt[0-9A-F]{8}\)$/);
    expect(attempt.Parameters).toBeUndefined();
    expect(attempt.OutputPath).toBeUndefined();
    expect(attempt.Next).toBe('IsDelivered');
  });

  it('retries platform failures with jittered exponential backoff: Lambda service errors, then anything thrown', () => {
    const retries = state('AttemptDelivery').Retry as Record<string, unknown>[];
    expect(retries).toHaveLength(2);
    for (const retry of retries) {
      expect(retry.BackoffRate as number).toBeGreaterThan(1);
      expect(retry.IntervalSeconds as number).toBeGreaterThan(0);
      expect(retry.MaxAttempts as number).toBeGreaterThan(0);
      expect(retry.JitterStrategy).toBe('FULL');
    }
    expect((retries[0]!.ErrorEquals as string[]).sort()).toEqual(
      [
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
      ].sort(),
    );
    expect(retries[0]).toMatchObject({ IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6 });
    // Subscriber failures come back as outcome "retry", never thrown: States.ALL (last, as Step
    // Functions requires) only sees platform errors such as a DynamoDB blip inside the function.
    expect(retries[1]).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 4, MaxDelaySeconds: 60 });
  });

  it('budgets each attempt within backoff.ts ATTEMPT_ALLOWANCE_SECONDS, platform retries included', () => {
    const retries = state('AttemptDelivery').Retry as Array<Record<string, number>>;
    const functionTimeout = 30;
    // Each retrier: its waits (capped by MaxDelaySeconds) plus a full-timeout invocation per try.
    const worst = retries.reduce((sum, r) => {
      let waits = 0;
      for (let i = 0; i < r.MaxAttempts!; i++)
        waits += Math.min(r.IntervalSeconds! * r.BackoffRate! ** i, r.MaxDelaySeconds ?? Infinity);
      return sum + waits + r.MaxAttempts! * functionTimeout;
    }, functionTimeout);
    expect(worst).toBeLessThanOrEqual(ATTEMPT_ALLOWANCE_SECONDS);
  });

  it('retries the DLQ send itself rather than ending with the delivery on no queue', () => {
    expect(state('SendToWebhookDlq').Retry).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 6, JitterStrategy: 'FULL' }),
    ]);
    expect(state('SendToWebhookDlq').Catch).toBeUndefined();
  });

  it('catches anything else into RecordPlatformFailure, keeping the input', () => {
    expect(state('AttemptDelivery').Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordPlatformFailure' },
    ]);
    const record = state('RecordPlatformFailure');
    expect(record.Type).toBe('Pass');
    expect(record.Next).toBe('SendToWebhookDlq');
    expect(record.Parameters).toMatchObject({
      dlqMessage: {
        kind: 'herald.redeliver',
        reason: 'redrive',
        'eventId.$': '$.eventId',
        'endpointId.$': '$.endpointId',
        'failedAt.$': '$$.State.EnteredTime',
        'attempts.$': '$.attempt',
        'lastError.$': '$.error.Error',
      },
    });
  });

  it('chooses on the outcome: delivered succeeds, retry waits again, anything else goes to the DLQ', () => {
    const choice = state('IsDelivered');
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices).toEqual([
      { Variable: '$.outcome', StringEquals: 'delivered', Next: 'Delivered' },
      { Variable: '$.outcome', StringEquals: 'retry', Next: 'WaitForNextAttempt' },
    ]);
    expect(choice.Default).toBe('SendToWebhookDlq');
    expect(state('Delivered').Type).toBe('Succeed');
  });

  it('sends the attempt’s dlqMessage to the webhook DLQ, then fails', () => {
    const send = state('SendToWebhookDlq');
    expect(send.Type).toBe('Task');
    expect(send.Resource).toMatch(/:states:::sqs:sendMessage$/);
    expect(send.Parameters).toEqual({
      QueueUrl: expect.stringMatching(/^TOKEN\(WebhooksWebhookDlq[0-9A-F]{8}\)$/),
      'MessageBody.$': '$.dlqMessage',
    });
    expect(send.Next).toBe('Exhausted');
    expect(state('Exhausted')).toMatchObject({ Type: 'Fail', Error: 'WebhookDeliveryFailed' });
  });

  it('logs errors to its own log group', () => {
    const logging = machine.LoggingConfiguration as Record<string, unknown>;
    expect(logging.Level).toBe('ERROR');
    // Execution data holds event payloads (tenant data): it stays out of the logs.
    expect(logging.IncludeExecutionData ?? false).toBe(false);
    expect(logging.Destinations).toEqual([
      {
        CloudWatchLogsLogGroup: {
          LogGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/^WebhooksRetryWorkflowLogs/), 'Arn'] },
        },
      },
    ]);
  });
});
