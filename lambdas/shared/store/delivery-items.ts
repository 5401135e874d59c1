/**
 * The shapes of delivery and attempt items (docs/internals.md "Main table") and their keys, shared by
 * the writes (deliveries.ts) and the history reads (delivery-history.ts). A generation's first attempt
 * is folded into its delivery item (`firstAttempts.g<gen:3>`); readers see it as the attempt item
 * `ATT#<endpointId>#<gen:3>#001` it stands for (`attemptSortKey`), in the same order and with the same
 * cursors. Later attempts (the retry workflow's) are items of their own.
 */

import type { AttemptOutcome, AttemptRecord, DeliveryRecord, DeliveryState } from '../model.js';
import { compositeKey, type StoreKey } from './table.js';

const RETENTION_SECONDS = 30 * 24 * 60 * 60;

function deliveryKey(eventId: string, endpointId: string): StoreKey {
  return { pk: compositeKey('EVT', eventId), sk: compositeKey('DLV', endpointId) };
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

function attemptKey(eventId: string, endpointId: string, generation: number, attempt: number): StoreKey {
  return {
    pk: compositeKey('EVT', eventId),
    sk: compositeKey('ATT', endpointId, pad3(generation), pad3(attempt)),
  };
}

function expiresAt(nowIso: string): number {
  return Math.floor(Date.parse(nowIso) / 1000) + RETENTION_SECONDS;
}

function optional<K extends string>(item: Record<string, unknown>, key: K, kind: 'string' | 'number') {
  return typeof item[key] === kind ? { [key]: item[key] } : {};
}

function toDelivery(item: Record<string, unknown>): DeliveryRecord {
  return {
    eventId: String(item.eventId),
    endpointId: String(item.endpointId),
    tenantId: String(item.tenantId),
    state: item.state as DeliveryState,
    generation: Number(item.generation ?? 0),
    attempts: Number(item.attempts ?? 0),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    ...optional(item, 'lastStatusCode', 'number'),
    ...optional(item, 'lastError', 'string'),
    ...optional(item, 'nextAttemptAt', 'string'),
    ...optional(item, 'deliveredAt', 'string'),
    ...optional(item, 'deadLetteredAt', 'string'),
    ...optional(item, 'claimedUntil', 'string'),
    ...optional(item, 'parkedAt', 'string'),
  };
}

/** The sort key an attempt item has, or (folded into its delivery) would have. */
function attemptSortKey(endpointId: string, generation: number, attempt: number): string {
  return attemptKey('', endpointId, generation, attempt).sk as string;
}

/** Map key of a generation's folded first attempt on the delivery item. */
function foldedKey(generation: number): string {
  return `g${pad3(generation)}`;
}

function toAttempt(item: Record<string, unknown>): AttemptRecord {
  return {
    eventId: String(item.eventId),
    endpointId: String(item.endpointId),
    generation: Number(item.generation),
    attempt: Number(item.attempt),
    at: String(item.at),
    durationMs: Number(item.durationMs ?? 0),
    outcome: item.outcome as AttemptOutcome,
    ...optional(item, 'statusCode', 'number'),
    ...optional(item, 'errorClass', 'string'),
    ...optional(item, 'nextAttemptAt', 'string'),
    ...optional(item, 'waitReason', 'string'),
    ...optional(item, 'location', 'string'),
    ...optional(item, 'responseBody', 'string'),
  };
}

export { attemptKey, attemptSortKey, deliveryKey, expiresAt, foldedKey, toAttempt, toDelivery };
