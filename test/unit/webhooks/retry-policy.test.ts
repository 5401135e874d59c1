import { describe, expect, it } from 'vitest';
import { classifyStatus, honoursRetryAfter } from '../../../lambdas/webhooks/retry-policy.js';

describe('retry-policy', () => {
  describe('classifyStatus', () => {
    it.each([
      [200, 'delivered'],
      [201, 'delivered'],
      [202, 'delivered'],
      [204, 'delivered'],
      [299, 'delivered'],
      [408, 'retry'],
      [409, 'retry'],
      [425, 'retry'],
      [429, 'retry'],
      [500, 'retry'],
      [502, 'retry'],
      [503, 'retry'],
      [504, 'retry'],
      [599, 'retry'],
      [400, 'give_up'],
      [401, 'give_up'],
      [403, 'give_up'],
      [404, 'give_up'],
      [405, 'give_up'],
      [410, 'give_up'],
      [413, 'give_up'],
      [422, 'give_up'],
      [300, 'retry'],
      [301, 'retry'],
      [302, 'retry'],
      [304, 'retry'],
      [307, 'retry'],
      [308, 'retry'],
      [399, 'retry'],
      [100, 'give_up'],
      [600, 'give_up'],
    ] as const)('%i → %s', (status, verdict) => {
      expect(classifyStatus(status)).toBe(verdict);
    });
  });

  describe('honoursRetryAfter', () => {
    it.each([
      [429, true],
      [503, true],
      [500, false],
      [502, false],
      [408, false],
      [200, false],
    ] as const)('%i → %s', (status, expected) => {
      expect(honoursRetryAfter(status)).toBe(expected);
    });
  });
});
