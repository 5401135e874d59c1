import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTERED_ERROR, type StoredDelivery, settle } from '../../../lambdas/webhooks/execution-end.js';

const at = (state: string, extra: Partial<StoredDelivery> = {}): StoredDelivery => ({
  generation: 2,
  state,
  ...extra,
});

describe('settle (retry watch decision)', () => {
  it.each([
    // status, error, delivery, action
    ['TIMED_OUT', undefined, at('retrying'), 'close_and_dead_letter'],
    ['TIMED_OUT', undefined, at('pending'), 'close_and_dead_letter'],
    ['ABORTED', undefined, at('retrying'), 'close_and_dead_letter'],
    ['FAILED', 'States.TaskFailed', at('retrying'), 'close_and_dead_letter'],
    ['FAILED', 'States.Runtime', at('retrying'), 'close_and_dead_letter'],
    ['TIMED_OUT', undefined, at('failed'), 'dead_letter'],
    ['FAILED', 'States.TaskFailed', at('failed'), 'dead_letter'],
    ['TIMED_OUT', undefined, at('failed', { deadLetteredAt: '2026-01-01T00:00:00Z' }), 'none'],
    ['FAILED', DEAD_LETTERED_ERROR, at('retrying'), 'close'],
    ['FAILED', DEAD_LETTERED_ERROR, at('failed'), 'none'],
    ['TIMED_OUT', undefined, at('delivered'), 'none'],
    ['ABORTED', undefined, at('skipped'), 'none'],
    ['TIMED_OUT', undefined, at('retrying', { generation: 3 }), 'none'],
    ['TIMED_OUT', undefined, undefined, 'none'],
    ['SUCCEEDED', undefined, at('retrying'), 'none'],
    ['RUNNING', undefined, at('retrying'), 'none'],
  ] as const)('%s %s on %j → %s', (status, error, delivery, action) => {
    const end = { status, generation: 2, ...(error ? { error } : {}) };
    expect(settle(end, delivery).action).toBe(action);
  });

  it.each([
    ['TIMED_OUT', undefined, 'workflow_timed_out'],
    ['ABORTED', undefined, 'workflow_aborted'],
    ['FAILED', 'States.TaskFailed', 'workflow_failed: States.TaskFailed'],
  ] as const)('names the end in lastError: %s → %s', (status, error, lastError) => {
    expect(settle({ status, generation: 2, ...(error ? { error } : {}) }, at('retrying'))).toEqual({
      action: 'close_and_dead_letter',
      lastError,
    });
  });

  it('never leaves an open delivery of its generation open after a non-success end', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('FAILED', 'TIMED_OUT', 'ABORTED'),
        fc.option(fc.constantFrom(DEAD_LETTERED_ERROR, 'States.TaskFailed', 'Lambda.Unknown')),
        fc.constantFrom('pending', 'retrying'),
        (status, error, state) => {
          const action = settle({ status, generation: 2, ...(error ? { error } : {}) }, at(state)).action;
          expect(['close', 'close_and_dead_letter']).toContain(action);
          // Only the workflow's own Exhausted end has sent to the DLQ already.
          expect(action === 'close').toBe(status === 'FAILED' && error === DEAD_LETTERED_ERROR);
        },
      ),
    );
  });

  it('never touches another generation, whatever the status and state', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('pending', 'retrying', 'failed', 'delivered', 'skipped'),
        fc.integer({ min: 0, max: 1000 }).filter((g) => g !== 2),
        (status, state, generation) => {
          expect(settle({ status, generation: 2 }, at(state, { generation })).action).toBe('none');
        },
      ),
    );
  });
});
