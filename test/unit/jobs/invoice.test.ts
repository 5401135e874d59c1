import { describe, expect, it } from 'vitest';
import { derivedEventId } from '../../../lambdas/jobs/derived-id.js';
import { computeInvoice, DEFAULT_TAX_RATE } from '../../../lambdas/jobs/invoice.handler.js';
import type { OrderPlaced } from '../../../lambdas/shared/catalog/built-in.js';
import { validateAgainstCatalog } from '../../../lambdas/shared/catalog/catalog.js';

const order = (overrides: Record<string, unknown> = {}): OrderPlaced =>
  ({
    orderId: '1001',
    currency: 'EUR',
    lines: [
      { sku: 'A', quantity: 2, unitPrice: 1250 },
      { sku: 'B', description: 'cable', quantity: 1, unitPrice: 999 },
    ],
    ...overrides,
  }) as OrderPlaced;

describe('computeInvoice', () => {
  it('multiplies lines in minor units and applies the default tax rate', () => {
    const invoice = computeInvoice(order());
    expect(invoice.lines).toEqual([
      { sku: 'A', quantity: 2, unitPrice: 1250, amount: 2500 },
      { sku: 'B', description: 'cable', quantity: 1, unitPrice: 999, amount: 999 },
    ]);
    expect(invoice.subtotal).toBe(3499);
    expect(invoice.taxRate).toBe(DEFAULT_TAX_RATE);
    // 3499 × 0.2 = 699.8 → 700 (half up).
    expect(invoice.tax).toBe(700);
    expect(invoice.total).toBe(4199);
    expect(invoice.currency).toBe('EUR');
  });

  it('uses the order taxRate, rounding half up to a minor unit', () => {
    const invoice = computeInvoice(
      order({ taxRate: 0.07, lines: [{ sku: 'A', quantity: 1, unitPrice: 150 }] }),
    );
    // 150 × 0.07 = 10.5 → 11
    expect(invoice).toMatchObject({ subtotal: 150, tax: 11, total: 161, taxRate: 0.07 });
  });

  it('takes a zero rate and the options default', () => {
    expect(computeInvoice(order({ taxRate: 0 })).tax).toBe(0);
    expect(computeInvoice(order(), { defaultTaxRate: 0.1 }).tax).toBe(350);
  });

  it('stays exact where floating point would not (0.1 + 0.2 style sums)', () => {
    const lines = Array.from({ length: 3 }, () => ({ sku: 'X', quantity: 1, unitPrice: 10 }));
    expect(computeInvoice(order({ lines, taxRate: 0.15 }))).toMatchObject({
      subtotal: 30,
      tax: 5,
      total: 35,
    });
  });

  it('rejects sums too large to be exact as a non-retryable invalid_request naming the field', () => {
    const data = order({ lines: [{ sku: 'A', quantity: Number.MAX_SAFE_INTEGER, unitPrice: 2 }] });
    expect(() => computeInvoice(data)).toThrow(
      expect.objectContaining({
        code: 'invalid_request',
        status: 400,
        retryable: false,
        detail: { field: 'lines[0].amount' },
      }),
    );
  });
});

// The job no longer checks the order's shape: schemas/order.placed.json does, at publish. These are the
// malformed orders the job used to refuse itself; each is now refused before it is stored.
describe('order.placed schema (what the job relies on)', () => {
  it.each([
    ['missing orderId', order({ orderId: undefined }), '/data/orderId'],
    ['bad currency', order({ currency: 'euro' }), '/data/currency'],
    ['no lines', order({ lines: [] }), '/data/lines'],
    [
      'fractional quantity',
      order({ lines: [{ sku: 'A', quantity: 1.5, unitPrice: 1 }] }),
      '/data/lines/0/quantity',
    ],
    ['zero quantity', order({ lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] }), '/data/lines/0/quantity'],
    [
      'float price',
      order({ lines: [{ sku: 'A', quantity: 1, unitPrice: 12.5 }] }),
      '/data/lines/0/unitPrice',
    ],
    [
      'negative price',
      order({ lines: [{ sku: 'A', quantity: 1, unitPrice: -1 }] }),
      '/data/lines/0/unitPrice',
    ],
    ['missing sku', order({ lines: [{ quantity: 1, unitPrice: 1 }] }), '/data/lines/0/sku'],
    ['tax rate above 1', order({ taxRate: 1.5 }), '/data/taxRate'],
    ['tax rate as string', order({ taxRate: '0.2' }), '/data/taxRate'],
  ])('refuses %s at publish with a pointer to the field', async (_name, data, pointer) => {
    const outcome = await validateAgainstCatalog('order.placed', JSON.parse(JSON.stringify(data))).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ code: 'schema_validation_failed', status: 400 });
    const errors = (outcome as { detail: { errors: { pointer: string }[] } }).detail.errors;
    expect(errors[0]?.pointer).toBe(pointer);
  });

  it('accepts the orders computeInvoice is tested with', async () => {
    await expect(validateAgainstCatalog('order.placed', order())).resolves.toBe(1);
  });
});

describe('derivedEventId', () => {
  const source = { id: 'evt_01J9Z3ABCDEFGHJKMNPQRSTVWX', createdAt: '2026-01-02T03:04:05.678Z' };

  it('is deterministic per source event, job and index, and ULID-shaped', () => {
    const id = derivedEventId(source, 'invoice', 0);
    expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(derivedEventId(source, 'invoice', 0)).toBe(id);
    expect(derivedEventId(source, 'invoice', 1)).not.toBe(id);
    expect(derivedEventId(source, 'other', 0)).not.toBe(id);
    expect(derivedEventId({ ...source, id: 'evt_other' }, 'invoice', 0)).not.toBe(id);
  });

  it('carries the source time, so derived ids sort by time', () => {
    const earlier = derivedEventId({ ...source, createdAt: '2026-01-01T00:00:00.000Z' }, 'invoice', 0);
    const later = derivedEventId(source, 'invoice', 0);
    expect(earlier < later).toBe(true);
  });
});
