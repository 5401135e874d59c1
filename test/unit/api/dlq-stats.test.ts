import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DeadLetterFacts,
  type DlqMessageView,
  deadLetterFacts,
  summarise,
  webhookErrorClass,
} from '../../../lambdas/api/dlq-stats.js';

const event = {
  id: 'evt_1',
  type: 'order.placed',
  tenantId: 't_1',
  createdAt: '2026-12-07T10:00:00Z',
  data: {},
};
const jobQueue = { name: 'job-invoice-dlq', kind: 'job' } as const;
const webhookQueue = { name: 'webhook-dlq', kind: 'webhook' } as const;

describe('deadLetterFacts', () => {
  const cases: Array<
    [string, { name: string; kind: 'job' | 'dispatch' | 'webhook' }, DlqMessageView, Partial<DeadLetterFacts>]
  > = [
    [
      'a job record dead-lettered at once carries its code, class and message',
      jobQueue,
      {
        messageId: 'm1',
        body: event,
        sentAt: '2026-12-07T10:00:01.000Z',
        attributes: {
          'herald-job': 'invoice',
          'herald-error-code': 'invalid_request',
          'herald-error-class': 'invalid_request',
          'herald-error': 'event field "data" is not an object',
        },
      },
      {
        reason: 'permanent_error',
        errorClass: 'invalid_request',
        error: 'event field "data" is not an object',
        job: 'invoice',
        eventId: 'evt_1',
        type: 'order.placed',
        tenantId: 't_1',
        sentAt: '2026-12-07T10:00:01.000Z',
      },
    ],
    [
      'an older permanent message without a class falls back to its code',
      jobQueue,
      {
        messageId: 'm1',
        body: event,
        attributes: { 'herald-job': 'invoice', 'herald-error-code': 'invalid_request' },
      },
      { reason: 'permanent_error', errorClass: 'invalid_request', job: 'invoice' },
    ],
    [
      'a job record that failed every receive carries the thrown class',
      jobQueue,
      {
        messageId: 'm2',
        body: event,
        attributes: {
          'herald-job': 'invoice',
          'herald-error-class': 'TypeError',
          'herald-error': "Cannot read properties of undefined (reading 'total')",
          'herald-retried': 'true',
        },
      },
      { reason: 'retries_exhausted', errorClass: 'TypeError', job: 'invoice' },
    ],
    [
      'a message SQS moved without Herald seeing why: unrecorded, the job from the queue name',
      jobQueue,
      { messageId: 'm3', body: 'not json at all' },
      { reason: 'unrecorded', job: 'invoice' },
    ],
    [
      'the dispatch DLQ names no job',
      { name: 'dispatch-dlq', kind: 'dispatch' },
      { messageId: 'm4', body: event },
      { reason: 'unrecorded', eventId: 'evt_1', type: 'order.placed', tenantId: 't_1' },
    ],
    [
      'a webhook delivery that ran out of attempts',
      webhookQueue,
      {
        messageId: 'm5',
        body: {
          kind: 'herald.redeliver',
          eventId: 'evt_1',
          endpointId: 'ep_1',
          lastError: 'retries_exhausted: HTTP 503',
          attempts: 8,
        },
      },
      { reason: 'retries_exhausted', errorClass: 'http_503', endpointId: 'ep_1', eventId: 'evt_1' },
    ],
    [
      'a webhook delivery given up on a 4xx, enriched with type and tenant',
      webhookQueue,
      {
        messageId: 'm6',
        body: {
          kind: 'herald.redeliver',
          eventId: 'evt_1',
          endpointId: 'ep_1',
          lastError: 'HTTP 410',
          type: 'a.b',
          tenantId: 't_2',
        },
      },
      { reason: 'delivery_failed', errorClass: 'http_410', type: 'a.b', tenantId: 't_2' },
    ],
    [
      'a webhook message with lastError unknown is unrecorded',
      webhookQueue,
      {
        messageId: 'm7',
        body: { kind: 'herald.redeliver', eventId: 'evt_1', endpointId: 'ep_1', lastError: 'unknown' },
      },
      { reason: 'unrecorded', endpointId: 'ep_1' },
    ],
  ];
  it.each(cases)('%s', (_, queue, message, expected) => {
    const facts = deadLetterFacts(queue, message);
    expect(facts).toMatchObject({ messageId: message.messageId, ...expected });
    if (expected.errorClass === undefined) expect(facts.errorClass).toBeUndefined();
  });
});

describe('webhookErrorClass', () => {
  it.each([
    ['HTTP 503', 'http_503'],
    ['retries_exhausted: HTTP 500', 'http_500'],
    ['retries_exhausted: timeout', 'timeout'],
    ['circuit_open', 'circuit_open'],
    ['States.TaskFailed', 'States.TaskFailed'],
    ['unknown', undefined],
    [undefined, undefined],
  ])('%s → %s', (input, expected) => {
    expect(webhookErrorClass(input)).toBe(expected);
  });
});

describe('summarise', () => {
  const fact = (id: string, fields: Partial<DeadLetterFacts>): DeadLetterFacts => ({
    messageId: id,
    reason: 'retries_exhausted',
    ...fields,
  });

  it('puts the largest group first with an example id, and counts each dimension alone', () => {
    const stats = summarise([
      fact('a', { endpointId: 'ep_1', errorClass: 'http_503', type: 'x.a', sentAt: '2026-12-07T10:00:02Z' }),
      fact('b', { job: 'invoice', errorClass: 'TypeError', error: 'boom', sentAt: '2026-12-07T10:00:01Z' }),
      fact('c', {
        job: 'invoice',
        errorClass: 'TypeError',
        error: 'boom again',
        sentAt: '2026-12-07T10:00:03Z',
      }),
      fact('d', { endpointId: 'ep_1', errorClass: 'http_503', type: 'x.b' }),
    ]);
    expect(stats.total).toBe(4);
    expect(stats.oldestAt).toBe('2026-12-07T10:00:01Z');
    expect(stats.newestAt).toBe('2026-12-07T10:00:03Z');
    expect(stats.groups[0]).toEqual({
      reason: 'retries_exhausted',
      errorClass: 'TypeError',
      job: 'invoice',
      count: 2,
      exampleId: 'b',
      error: 'boom',
    });
    expect(stats.groups).toHaveLength(3);
    expect(stats.by.endpointId).toEqual([{ value: 'ep_1', count: 2, exampleId: 'a' }]);
    expect(stats.by.errorClass.map((c) => [c.value, c.count])).toEqual([
      ['http_503', 2],
      ['TypeError', 2],
    ]);
    expect(stats.by.reason).toEqual([{ value: 'retries_exhausted', count: 4, exampleId: 'a' }]);
  });

  it('an empty DLQ has no groups and no dates', () => {
    const stats = summarise([]);
    expect(stats).toMatchObject({ total: 0, groups: [] });
    expect(stats.oldestAt).toBeUndefined();
  });

  it('counts every message exactly once, in the groups and in each dimension', () => {
    const arbitraryFact = fc.record({
      messageId: fc.uuid(),
      reason: fc.constantFrom(
        'permanent_error',
        'retries_exhausted',
        'delivery_failed',
        'unrecorded' as const,
      ),
      errorClass: fc.option(fc.constantFrom('TypeError', 'http_503'), { nil: undefined }),
      job: fc.option(fc.constantFrom('invoice', 'classify'), { nil: undefined }),
      tenantId: fc.option(fc.constantFrom('t_1', 't_2'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryFact, { maxLength: 60 }), (raw) => {
        const facts = raw.map((f) =>
          Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)),
        ) as unknown as DeadLetterFacts[];
        const stats = summarise(facts);
        const sum = (items: readonly { count: number }[]) => items.reduce((n, i) => n + i.count, 0);
        expect(sum(stats.groups)).toBe(facts.length);
        expect(sum(stats.by.reason)).toBe(facts.length);
        expect(sum(stats.by.job)).toBe(facts.filter((f) => f.job !== undefined).length);
        const counts = stats.groups.map((g) => g.count);
        expect([...counts].sort((a, b) => b - a)).toEqual(counts);
      }),
    );
  });
});
