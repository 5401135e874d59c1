import { describe, expect, it } from 'vitest';
import { type LocalEvent, matchesPattern, putEvent } from '../../local/event-rules.js';

const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine:retry';

function event(status: string, stateMachineArn = SM): LocalEvent {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '000000000000',
    time: '2026-12-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { status, stateMachineArn, name: 'x' },
  };
}

// The retry watch's rule as the template declares it (lib/retry-watch.ts).
const pattern = {
  source: ['aws.states'],
  'detail-type': ['Step Functions Execution Status Change'],
  detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [SM] },
};

describe('local EventBridge rules', () => {
  it.each([
    ['TIMED_OUT', SM, true],
    ['ABORTED', SM, true],
    ['FAILED', SM, true],
    ['SUCCEEDED', SM, false],
    ['RUNNING', SM, false],
    ['TIMED_OUT', `${SM}-other`, false],
  ])('status %s of %s → %s', (status, arn, expected) => {
    expect(matchesPattern(pattern, event(status, arn))).toBe(expected);
  });

  it('needs every field of the pattern, and plays prefix / anything-but / exists', () => {
    expect(matchesPattern({ source: ['aws.s3'] }, event('FAILED'))).toBe(false);
    expect(matchesPattern({ detail: { missing: ['x'] } }, event('FAILED'))).toBe(false);
    expect(matchesPattern({ detail: { status: [{ prefix: 'TIMED' }] } }, event('TIMED_OUT'))).toBe(true);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': ['SUCCEEDED'] }] } }, event('FAILED'))).toBe(
      true,
    );
    expect(
      matchesPattern({ detail: { status: [{ 'anything-but': ['SUCCEEDED'] }] } }, event('SUCCEEDED')),
    ).toBe(false);
    expect(matchesPattern({ detail: { cause: [{ exists: false }] } }, event('FAILED'))).toBe(true);
    // An operator the runtime does not play matches nothing rather than everything.
    expect(matchesPattern({ detail: { status: [{ numeric: ['>', 0] }] } }, event('FAILED'))).toBe(false);
  });

  it('sends a matching event whole to SQS targets and invokes Lambda targets; reports failures', async () => {
    const sent: [string, unknown][] = [];
    const invoked: [string, unknown][] = [];
    const errors: unknown[] = [];
    const rules = [
      {
        logicalId: 'Watch',
        pattern,
        targets: [
          { kind: 'sqs' as const, queueUrl: 'http://q/watch' },
          { kind: 'lambda' as const, functionArn: 'arn:aws:lambda:us-east-1:0:function:f' },
        ],
      },
      { logicalId: 'Broken', pattern, targets: [{ kind: 'sqs' as const, queueUrl: 'http://q/broken' }] },
    ];
    const targets = {
      sendMessage: async (url: string, body: string) => {
        if (url.endsWith('broken')) throw new Error('queue gone');
        sent.push([url, JSON.parse(body)]);
      },
      invokeFunction: async (arn: string, payload: unknown) => invoked.push([arn, payload]),
    };
    await putEvent(rules, event('TIMED_OUT'), targets, (e) => errors.push(e));
    await putEvent(rules, event('SUCCEEDED'), targets, (e) => errors.push(e));
    expect(sent).toEqual([['http://q/watch', event('TIMED_OUT')]]);
    expect(invoked).toEqual([['arn:aws:lambda:us-east-1:0:function:f', event('TIMED_OUT')]]);
    expect(errors).toHaveLength(1);
  });
});
