import { describe, expect, it } from 'vitest';
import { parseSfnQuotas, TokenBucket } from '../../local/sfn-quotas.js';
import { LocalStepFunctions } from '../../local/step-functions.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:hold';
const services = {
  invokeFunction: async () => ({}),
  sendMessage: async () => ({}),
  publish: async () => ({}),
};
/** Waits a minute: an execution stays open for the whole test. */
const holding = {
  StartAt: 'Hold',
  States: { Hold: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Succeed' } },
} as never;

function machine(quotas: Parameters<typeof parseSfnQuotas>[0]) {
  return new LocalStepFunctions(
    new Map([[ARN, { logicalId: 'Hold', arn: ARN, name: 'hold', definition: holding }]]),
    services,
    1,
    () => undefined,
    parseSfnQuotas(quotas),
  );
}

describe('Step Functions quotas, played (issue 19)', () => {
  it('a token bucket grants its burst, then refills at its rate', () => {
    const bucket = new TokenBucket(2, 4, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, false]);
    expect(bucket.waitMs(0)).toBe(250);
    expect(bucket.take(250)).toBe(true);
    expect(bucket.take(250)).toBe(false);
  });

  it('reads aws, or open/start/transitions, and refuses anything else with a usable message', () => {
    expect(parseSfnQuotas('aws')).toMatchObject({ maxOpenExecutions: 1_000_000 });
    expect(parseSfnQuotas('open=40,start=13/3,transitions=50/15')).toEqual({
      maxOpenExecutions: 40,
      startExecution: { burst: 13, refillPerSecond: 3 },
      stateTransitions: { burst: 50, refillPerSecond: 15 },
    });
    expect(() => parseSfnQuotas('open=lots')).toThrow(/open=N,start=BURST\/REFILL/);
    expect(() => parseSfnQuotas('start=5')).toThrow(/cannot read "start=5"/);
  });

  it('past the open-execution cap StartExecution answers ExecutionLimitExceeded, and counts it', async () => {
    const sfn = machine('open=2');
    try {
      sfn.startExecution(ARN, 'a', '{}');
      sfn.startExecution(ARN, 'b', '{}');
      expect(() => sfn.startExecution(ARN, 'c', '{}')).toThrow(
        expect.objectContaining({ code: 'ExecutionLimitExceeded' }),
      );
      expect(sfn.usage().hold).toMatchObject({ executionsStarted: 2, startsRefused: 1 });
    } finally {
      await sfn.close();
    }
  });

  it('past the StartExecution bucket it answers ThrottlingException', async () => {
    const sfn = machine('start=2/0.001');
    try {
      sfn.startExecution(ARN, 'a', '{}');
      sfn.startExecution(ARN, 'b', '{}');
      expect(() => sfn.startExecution(ARN, 'c', '{}')).toThrow(
        expect.objectContaining({ code: 'ThrottlingException' }),
      );
    } finally {
      await sfn.close();
    }
  });

  it('counts the states an execution enters as transitions', async () => {
    const sfn = new LocalStepFunctions(
      new Map([
        [
          ARN,
          {
            logicalId: 'Hold',
            arn: ARN,
            name: 'hold',
            definition: {
              StartAt: 'A',
              States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } },
            } as never,
          },
        ],
      ]),
      services,
      1,
    );
    try {
      const execution = sfn.startExecution(ARN, 'a', '{}');
      for (let i = 0; i < 50 && execution.status === 'RUNNING'; i++)
        await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 20));
      expect(execution.status).toBe('SUCCEEDED');
      expect(sfn.usage().hold).toMatchObject({ executionsStarted: 1, stateTransitions: 2 });
    } finally {
      await sfn.close();
    }
  });
});
