/**
 * Endpoint recovery (adrs/0011): its workflow (Wait → RecoveryStep → Choice, one execution per endpoint
 * in trouble), reserved concurrency on the delivery functions, the backlog-age alarm, and the
 * settings that reach the functions.
 */
import { describe, expect, it } from 'vitest';
import { buildHerald, joinWithPlaceholders, resourcesOf } from './support/template.js';

const template = buildHerald();
const functionNamed = (prefix: string) =>
  resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))![1];
const envOf = (prefix: string) =>
  (functionNamed(prefix).Environment as { Variables: Record<string, unknown> }).Variables;

describe('endpoint recovery', () => {
  it('is a Standard workflow: Wait on $.waitUntil, one step, a Choice that ends on done', () => {
    const [, machine] = resourcesOf(template, 'AWS::StepFunctions::StateMachine').find(([id]) =>
      id.startsWith('EndpointRecoveryWorkflow'),
    )!;
    expect(machine.StateMachineType).toBe('STANDARD');
    const definition = JSON.parse(joinWithPlaceholders(machine.DefinitionString)) as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    expect(definition.StartAt).toBe('WaitForNextStep');
    expect(definition.States.WaitForNextStep).toMatchObject({ Type: 'Wait', TimestampPath: '$.waitUntil' });
    expect(definition.States.RecoveryStep).toMatchObject({ Type: 'Task', Next: 'RecoveryOver' });
    expect(definition.States.RecoveryOver).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Recovered' }],
      Default: 'WaitForNextStep',
    });
    // Three states a step: what keeps an endpoint in trouble at O(1) transitions.
    expect(Object.keys(definition.States).sort()).toEqual([
      'Recovered',
      'RecoveryOver',
      'RecoveryStep',
      'WaitForNextStep',
    ]);
  });

  it('reserves concurrency for dispatch, attempt and recovery (20 each by default; 0 reserves none)', () => {
    for (const prefix of ['WebhooksDispatch', 'WebhooksAttempt', 'EndpointRecoveryStep']) {
      expect(functionNamed(prefix).ReservedConcurrentExecutions, prefix).toBe(20);
    }
    const none = buildHerald({
      delivery: { reservedConcurrency: { dispatch: 0, attempt: 5 } },
      recovery: { reservedConcurrency: 0 },
    });
    const fn = (prefix: string) =>
      resourcesOf(none, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))![1];
    expect(fn('WebhooksDispatch').ReservedConcurrentExecutions).toBeUndefined();
    expect(fn('WebhooksAttempt').ReservedConcurrentExecutions).toBe(5);
    expect(fn('EndpointRecoveryStep').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('alarms on the age of an endpoint’s oldest parked delivery', () => {
    const alarm = resourcesOf(template, 'AWS::CloudWatch::Alarm').find(([id]) => id.includes('BacklogAge'));
    expect(alarm).toBeDefined();
    expect(alarm![1]).toMatchObject({
      MetricName: 'BacklogAgeSeconds',
      Namespace: 'Herald',
      Statistic: 'Maximum',
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm![1].AlarmActions).toHaveLength(1);
  });

  it('gives the recovery its lifetime (× time scale), slow-lane width, and dispatch the workflow', () => {
    expect(envOf('EndpointRecoveryStep')).toMatchObject({
      HERALD_BACKLOG_LIFETIME_SECONDS: '99305',
      HERALD_SLOW_LANE_WIDTH: '2',
      HERALD_DRAIN_SLICE_SECONDS: '60',
    });
    expect(Object.keys(envOf('WebhooksDispatch'))).toContain('HERALD_RECOVERY_STATE_MACHINE_ARN');
    const scaled = buildHerald({ retryTimeScale: 0.01, recovery: { backlogLifetimeSeconds: 3600 } });
    const env = (
      resourcesOf(scaled, 'AWS::Lambda::Function').find(([id]) => id.startsWith('EndpointRecoveryStep'))![1]
        .Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(env.HERALD_BACKLOG_LIFETIME_SECONDS).toBe('36');
    expect(() => buildHerald({ recovery: { backlogLifetimeSeconds: 40 * 86_400 } })).toThrow(
      /backlogLifetimeSeconds/,
    );
  });
});
