import { describe, expect, it } from 'vitest';
import { describeFailure, failureAction, STACK_FRAMES } from '../../../lambdas/jobs/failure.js';
import { InvalidRequestError, TransientError } from '../../../lambdas/shared/errors.js';

describe('failureAction', () => {
  it.each([
    ['a non-retryable Herald error, first receive', new InvalidRequestError('bad'), 1, 5, 'dead_letter_now'],
    [
      'a non-retryable Herald error, no max known',
      new InvalidRequestError('bad'),
      1,
      undefined,
      'dead_letter_now',
    ],
    ['a TypeError before the last receive', new TypeError('x'), 4, 5, 'retry'],
    ['a TypeError on the last receive', new TypeError('x'), 5, 5, 'dead_letter_last_receive'],
    [
      'a TypeError past the last receive (a redelivery raced)',
      new TypeError('x'),
      6,
      5,
      'dead_letter_last_receive',
    ],
    [
      'a retryable Herald error on the last receive',
      new TransientError('down'),
      5,
      5,
      'dead_letter_last_receive',
    ],
    ['a TypeError when the max is not known', new TypeError('x'), 50, undefined, 'retry'],
    ['a thrown string on the last receive', 'oops', 3, 3, 'dead_letter_last_receive'],
  ] as const)('%s → %s', (_case, error, receiveCount, max, expected) => {
    expect(failureAction(error, receiveCount, max)).toBe(expected);
  });
});

describe('describeFailure', () => {
  it('names the class of a plain error and keeps the first frames of its stack', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'size')");
    error.stack = [
      `TypeError: ${error.message}`,
      ...Array.from({ length: 30 }, (_, i) => `    at f${i} (job.ts:${i})`),
    ].join('\n');
    const described = describeFailure(error);
    expect(described).toMatchObject({ errorClass: 'TypeError', retryable: true, message: error.message });
    expect(described.code).toBeUndefined();
    expect(described.stack?.split('\n')).toHaveLength(STACK_FRAMES + 1);
    expect(described.stack).toContain('at f0 (job.ts:0)');
  });

  it('names a Herald error by its code (class names do not survive minification), with its retryability', () => {
    expect(describeFailure(new InvalidRequestError('event field "data" is not an object'))).toMatchObject({
      errorClass: 'invalid_request',
      code: 'invalid_request',
      retryable: false,
    });
  });

  it('describes a thrown non-Error', () => {
    expect(describeFailure('oops')).toEqual({ errorClass: 'Error', message: 'oops', retryable: true });
  });
});
