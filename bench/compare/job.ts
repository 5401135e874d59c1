/**
 * The idempotent job run over every broker: compute an invoice for an order and record it once per
 * message id. The record is a shared in-process Map (all consumers live in this process), standing in
 * for the conditional write Herald makes in DynamoDB.
 */

import type { JobMessage } from './types.js';

interface Invoice {
  readonly messageId: string;
  readonly subtotalCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

class PoisonMessageError extends Error {
  readonly code = 'poison_message';
  readonly retryable = false;
}

const TAX_RATE = 0.2;

function computeInvoice(message: JobMessage): Invoice {
  const subtotalCents = message.order.lines.reduce((sum, line) => sum + line.qty * line.cents, 0);
  const taxCents = Math.round(subtotalCents * TAX_RATE);
  return { messageId: message.id, subtotalCents, taxCents, totalCents: subtotalCents + taxCents };
}

/** Counts what happened, so a scenario can assert "one effect per message id" at the end. */
class InvoiceJob {
  private readonly invoices = new Map<string, Invoice>();
  private readonly processedAt = new Map<string, number>();
  deliveries = 0;
  duplicates = 0;
  failures = 0;
  readonly order: number[] = [];
  readonly latenciesMs: number[] = [];

  /** Runs the job; returns whether this delivery had the effect or was a skipped duplicate. */
  run(message: JobMessage): 'processed' | 'duplicate' {
    this.deliveries++;
    if (message.poison) {
      this.failures++;
      throw new PoisonMessageError(`message ${message.id} cannot be invoiced`);
    }
    if (this.invoices.has(message.id)) {
      this.duplicates++;
      return 'duplicate';
    }
    const now = Date.now();
    this.invoices.set(message.id, computeInvoice(message));
    this.processedAt.set(message.id, now);
    this.order.push(message.seq);
    this.latenciesMs.push(now - message.sentAt);
    return 'processed';
  }

  get effects(): number {
    return this.invoices.size;
  }

  has(id: string): boolean {
    return this.invoices.has(id);
  }
}

/** Builds `count` messages with ids `<prefix>-<seq>`; `sentAt` is stamped by the publisher. */
function makeMessages(prefix: string, count: number, firstSeq = 0): JobMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = firstSeq + i;
    return {
      id: `${prefix}-${seq}`,
      seq,
      sentAt: 0,
      order: { lines: [{ sku: `sku-${seq % 97}`, qty: 1 + (seq % 5), cents: 1999 }] },
    };
  });
}

function stamp(messages: readonly JobMessage[], now = Date.now()): JobMessage[] {
  return messages.map((m) => ({ ...m, sentAt: now }));
}

export type { Invoice };
export { computeInvoice, InvoiceJob, makeMessages, PoisonMessageError, stamp };
