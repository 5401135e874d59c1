/**
 * Invoice items written by the example job (docs/internals.md "Main table"):
 * `INVOICE#<tenantId>#<orderId>` / `INVOICE`. The tenant is part of the key because order ids are the
 * tenant's own numbering: two tenants' order "1001" are different invoices. Written once, never
 * overwritten.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { compositeKey, isConditionFailure, type StoreKey } from '../shared/store/table.js';

interface InvoiceLine {
  readonly sku: string;
  readonly description?: string;
  readonly quantity: number;
  /** Minor units (cents). */
  readonly unitPrice: number;
  /** quantity × unitPrice, minor units. */
  readonly amount: number;
}

interface Invoice {
  readonly orderId: string;
  /** The order.placed event the invoice was computed from. */
  readonly eventId: string;
  readonly tenantId: string;
  readonly currency: string;
  readonly lines: InvoiceLine[];
  readonly subtotal: number;
  /** Decimal fraction, e.g. 0.2 for 20 %. */
  readonly taxRate: number;
  readonly tax: number;
  readonly total: number;
  readonly createdAt: string;
}

/** `INVOICE#<tenantId>#<orderId>`, each component escaped (compositeKey): order ids are free text. */
function invoiceKey(tenantId: string, orderId: string): StoreKey {
  return { pk: compositeKey('INVOICE', tenantId, orderId), sk: 'INVOICE' };
}

function toInvoice(item: Record<string, unknown>): Invoice {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as Invoice;
}

async function getInvoice(tenantId: string, orderId: string): Promise<Invoice | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: invoiceKey(tenantId, orderId), ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : toInvoice(result.Item);
}

/**
 * Stores the invoice unless one exists for the tenant's order. Answers the stored invoice — this one
 * when `created`, otherwise the earlier one, untouched.
 */
async function putInvoiceOnce(invoice: Invoice): Promise<{ created: boolean; invoice: Invoice }> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: { ...invoiceKey(invoice.tenantId, invoice.orderId), ...invoice },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true, invoice };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await getInvoice(invoice.tenantId, invoice.orderId);
  if (existing === undefined)
    throw new Error(`Invoice ${invoice.orderId} vanished after a conditional write`);
  return { created: false, invoice: existing };
}

export type { Invoice, InvoiceLine };
export { getInvoice, invoiceKey, putInvoiceOnce };
