/**
 * The example job: `order.placed` → an invoice (integer minor units throughout, so no float ever
 * touches money), stored once per tenant's order, then `invoice.created` is emitted with it. A
 * malformed order is a non-retryable InvalidRequestError; the runner fails the record, so the order
 * lands in the job's DLQ for a human instead of being dropped.
 */
import { InvalidRequestError } from '../shared/errors.js';
import type { HeraldEvent } from '../shared/store/events.js';
import { type Invoice, type InvoiceLine, putInvoiceOnce } from '../shared/store/invoices.js';
import { defineJob, type JobOutput } from './runner.js';

/** Example default (a common VAT rate); an order may carry its own `taxRate`. */
const DEFAULT_TAX_RATE = 0.2;
const MAX_LINES = 500;
const MAX_ORDER_ID_LENGTH = 128;
const BASIS_POINTS = 10_000n;

type ComputedInvoice = Omit<Invoice, 'eventId' | 'tenantId' | 'createdAt'>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(field: string, message: string): InvalidRequestError {
  return new InvalidRequestError(`order ${message}`, { detail: { field } });
}

function parseLine(value: unknown, index: number): Omit<InvoiceLine, 'amount'> {
  const field = `lines[${index}]`;
  if (!isRecord(value)) throw invalid(field, `${field} is not an object`);
  const { sku, description, quantity, unitPrice } = value;
  if (typeof sku !== 'string' || sku === '')
    throw invalid(`${field}.sku`, `${field}.sku must be a non-empty string`);
  if (!Number.isSafeInteger(quantity) || (quantity as number) < 1) {
    throw invalid(`${field}.quantity`, `${field}.quantity must be a positive integer`);
  }
  if (!Number.isSafeInteger(unitPrice) || (unitPrice as number) < 0) {
    throw invalid(`${field}.unitPrice`, `${field}.unitPrice must be a non-negative integer (minor units)`);
  }
  return {
    sku,
    ...(typeof description === 'string' ? { description } : {}),
    quantity: quantity as number,
    unitPrice: unitPrice as number,
  };
}

function toSafeNumber(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(field, `${field} is too large`);
  return Number(value);
}

/**
 * Pure: the invoice for an order.placed payload. Line amounts and the subtotal are exact integers; tax
 * is subtotal × rate rounded half up to a minor unit (the rate is taken in basis points, so 0.2 is
 * exactly 2000 bp). Throws InvalidRequestError naming the bad field.
 */
function computeInvoice(data: unknown, options: { defaultTaxRate?: number } = {}): ComputedInvoice {
  if (!isRecord(data)) throw invalid('data', 'data is not an object');
  const { orderId, currency, lines, taxRate } = data;
  if (typeof orderId !== 'string' || orderId === '' || orderId.length > MAX_ORDER_ID_LENGTH) {
    throw invalid('orderId', `orderId must be a string of 1 to ${MAX_ORDER_ID_LENGTH} characters`);
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw invalid('currency', 'currency must be an ISO 4217 code like "EUR"');
  }
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > MAX_LINES) {
    throw invalid('lines', `lines must be an array of 1 to ${MAX_LINES} items`);
  }
  const rate = taxRate === undefined ? (options.defaultTaxRate ?? DEFAULT_TAX_RATE) : taxRate;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw invalid('taxRate', 'taxRate must be a number from 0 to 1');
  }
  const rateBp = BigInt(Math.round(rate * 10_000));

  let subtotal = 0n;
  const invoiceLines: InvoiceLine[] = lines.map((raw, index) => {
    const line = parseLine(raw, index);
    const amount = BigInt(line.quantity) * BigInt(line.unitPrice);
    subtotal += amount;
    return { ...line, amount: toSafeNumber(amount, `lines[${index}].amount`) };
  });
  // Round half up: (x + d/2) / d in integer division.
  const tax = (subtotal * rateBp + BASIS_POINTS / 2n) / BASIS_POINTS;
  return {
    orderId,
    currency,
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
  const computed = computeInvoice(event.data);
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
