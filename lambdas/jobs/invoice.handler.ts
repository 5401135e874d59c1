/**
 * The example job: `order.placed` → an invoice (integer minor units throughout, so no float ever
 * touches money), stored once per tenant's order, then `invoice.created` is emitted with it. Its input
 * type is inferred from schemas/order.placed.json, which ingest validated at publish, so the job does
 * not check the shape again. An order whose sums are too large to be exact is a non-retryable
 * InvalidRequestError; the runner fails the record, so it lands in the job's DLQ for a human.
 */
import type { OrderPlaced } from '../shared/catalog/built-in.js';
import { InvalidRequestError } from '../shared/errors.js';
import type { HeraldEvent } from '../shared/model.js';
import { type Invoice, type InvoiceLine, putInvoiceOnce } from './invoice-store.js';
import { defineJob, type JobOutput } from './runner.js';

/** Example default (a common VAT rate); an order may carry its own `taxRate`. */
const DEFAULT_TAX_RATE = 0.2;
const BASIS_POINTS = 10_000n;

type ComputedInvoice = Omit<Invoice, 'eventId' | 'tenantId' | 'createdAt'>;

function toSafeNumber(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidRequestError(`order ${field} is too large`, { detail: { field } });
  }
  return Number(value);
}

/**
 * Pure: the invoice for an order. Line amounts and the subtotal are exact integers; tax is subtotal ×
 * rate rounded half up to a minor unit (the rate is taken in basis points, so 0.2 is exactly 2000 bp).
 * Only sums can fail here (too large to be exact); the order's shape is schemas/order.placed.json's.
 */
function computeInvoice(order: OrderPlaced, options: { defaultTaxRate?: number } = {}): ComputedInvoice {
  const rate = order.taxRate ?? options.defaultTaxRate ?? DEFAULT_TAX_RATE;
  const rateBp = BigInt(Math.round(rate * 10_000));

  let subtotal = 0n;
  const invoiceLines: InvoiceLine[] = order.lines.map((line, index) => {
    const amount = BigInt(line.quantity) * BigInt(line.unitPrice);
    subtotal += amount;
    return {
      sku: line.sku,
      ...(line.description !== undefined ? { description: line.description } : {}),
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      amount: toSafeNumber(amount, `lines[${index}].amount`),
    };
  });
  // Round half up: (x + d/2) / d in integer division.
  const tax = (subtotal * rateBp + BASIS_POINTS / 2n) / BASIS_POINTS;
  return {
    orderId: order.orderId,
    currency: order.currency,
    lines: invoiceLines,
    subtotal: toSafeNumber(subtotal, 'subtotal'),
    taxRate: Number(rateBp) / 10_000,
    tax: toSafeNumber(tax, 'tax'),
    total: toSafeNumber(subtotal + tax, 'total'),
  };
}

/**
 * Computes and stores the invoice; emits `invoice.created` unless this order was already invoiced from
 * a different event (a customer's duplicate order.placed). The same event again (a retry after a crash)
 * re-emits: the follow-up id is deterministic, so that is the same event, not a second one.
 */
async function invoiceOrder(event: HeraldEvent): Promise<JobOutput> {
  // The job subscribes to order.placed only, and ingest validated `data` against its schema.
  const computed = computeInvoice(event.data as OrderPlaced);
  const { created, invoice } = await putInvoiceOnce({
    ...computed,
    eventId: event.id,
    tenantId: event.tenantId,
    createdAt: new Date().toISOString(),
  });
  if (!created && invoice.eventId !== event.id) {
    return { result: { orderId: invoice.orderId, duplicateOrderOf: invoice.eventId } };
  }
  const { tenantId: _tenantId, ...data } = invoice;
  return {
    emit: [{ type: 'invoice.created', data }],
    result: { orderId: invoice.orderId, total: invoice.total },
  };
}

const handler = defineJob({ name: 'invoice', handle: invoiceOrder });

export { computeInvoice, DEFAULT_TAX_RATE, handler, invoiceOrder };
