import { describe, expect, it } from 'vitest';
import { isValidEventTypePattern, matchesAny, matchesEventType } from '../../../lambdas/webhooks/matching.js';

describe('matching', () => {
  describe('matchesEventType', () => {
    it.each([
      ['order.*', 'order.placed', true],
      ['order.*', 'order.cancelled', true],
      ['order.*', 'order.placed.eu', false],
      ['order.*', 'order', false],
      ['order.*', 'orders.placed', false],
      ['order.*', 'invoice.created', false],
      ['*', 'order.placed', true],
      ['*', 'a.b.c.d', true],
      ['*.created', 'invoice.created', true],
      ['*.created', 'order.created', true],
      ['*.created', 'invoice.created.v2', false],
      ['*.created', 'invoice.updated', false],
      ['order.placed', 'order.placed', true],
      ['order.placed', 'order.placed.eu', false],
      ['order.placed', 'order.place', false],
      ['order.*.eu', 'order.placed.eu', true],
      ['order.*.eu', 'order.placed.us', false],
      ['*.*', 'order.placed', true],
      ['*.*', 'order.placed.eu', false],
    ] as const)('%j vs %j → %s', (pattern, type, expected) => {
      expect(matchesEventType(pattern, type)).toBe(expected);
    });
  });

  describe('matchesAny', () => {
    it('matches when any pattern matches', () => {
      expect(matchesAny(['invoice.*', 'order.placed'], 'order.placed')).toBe(true);
      expect(matchesAny(['invoice.*', 'order.placed'], 'invoice.created')).toBe(true);
    });

    it('does not match when none matches, nor with no patterns', () => {
      expect(matchesAny(['invoice.*', 'order.placed'], 'order.cancelled')).toBe(false);
      expect(matchesAny([], 'order.placed')).toBe(false);
    });
  });

  describe('isValidEventTypePattern', () => {
    it.each(['*', 'order.*', '*.created', 'order.placed', 'order.*.eu', '*.*', 'a_b.c_1', 'order.placed.v2'])(
      'accepts %j',
      (pattern) => {
        expect(isValidEventTypePattern(pattern)).toBe(true);
      },
    );

    it.each([
      '',
      'order',
      'Order.*',
      'order.',
      '.order',
      'order..placed',
      'order.**',
      'order.pla*',
      '**',
      'order placed',
      '1order.placed',
      'order.#',
      `order.${'a'.repeat(130)}`,
    ])('rejects %j', (pattern) => {
      expect(isValidEventTypePattern(pattern)).toBe(false);
    });
  });
});

describe('operational events (herald.*)', () => {
  it.each([
    ['herald.*', 'herald.endpoint.failing', true],
    ['herald.*', 'herald.delivery.exhausted', true],
    ['herald.endpoint.failing', 'herald.endpoint.failing', true],
    ['herald.endpoint.*', 'herald.endpoint.disabled', true],
    ['*', 'herald.endpoint.failing', false],
    ['*.*.*', 'herald.endpoint.failing', true],
    ['order.*', 'herald.endpoint.failing', false],
    ['herald.*', 'order.placed', false],
  ])('%s matches %s: %s', (pattern, type, expected) => {
    expect(matchesEventType(pattern, type)).toBe(expected);
  });
});
