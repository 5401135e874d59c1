/**
 * Composite keys are collision-free by construction (issue 10, item 5): each component is escaped so
 * the `#` separator never appears inside one, hence two different component lists never give one key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idempotencyScope } from '../../../lambdas/api/event-identity.js';
import { invoiceKey } from '../../../lambdas/jobs/invoice-store.js';
import { compositeKey, keyPart } from '../../../lambdas/shared/store/table.js';

describe('compositeKey', () => {
  it.each([
    [
      ['a#b', 'c'],
      ['a', 'b#c'],
    ],
    [['a%23b'], ['a#b']],
    [['a', ''], ['a#']],
    [['%'], ['%25']],
  ])('%j and %j differ', (left, right) => {
    expect(compositeKey(...left)).not.toBe(compositeKey(...right));
  });

  it('leaves components without # or % as they are (existing keys keep their value)', () => {
    expect(compositeKey('TENANT', 't_1.a:b-c', 'EVT')).toBe('TENANT#t_1.a:b-c#EVT');
    expect(keyPart('evt_01JTEST')).toBe('evt_01JTEST');
  });

  it('is injective: equal keys only from equal component lists (property)', () => {
    const parts = fc.array(fc.string({ unit: fc.constantFrom('a', '#', '%', '2', '3', 'x') }), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(parts, parts, (left, right) => {
        const same = left.length === right.length && left.every((p, i) => p === right[i]);
        expect(compositeKey(...left) === compositeKey(...right)).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('tenant-scoped keys', () => {
  it('idempotency: tenant "a#b" + key "c" and tenant "a" + key "b#c" are different records', () => {
    expect(idempotencyScope('a#b', 'c')).not.toBe(idempotencyScope('a', 'b#c'));
  });

  it('invoices: tenant "a#b" + order "c" and tenant "a" + order "b#c" are different items', () => {
    expect(invoiceKey('a#b', 'c').pk).not.toBe(invoiceKey('a', 'b#c').pk);
    expect(invoiceKey('t_1', '1001')).toEqual({ pk: 'INVOICE#t_1#1001', sk: 'INVOICE' });
  });
});
