/**
 * /v1/dlq diagnosis and clean-up, admin only: the whole DLQ summed up (stats), and the held pages an
 * export or a purge walks (hold → delete what was exported, release the rest). See dlq-scan.ts for how
 * long a message can be hidden by each.
 */
import { requireAdmin } from '../../shared/auth.js';
import { InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/problem.js';
import { type DeadLetterQueue, findDeadLetterQueue, WEBHOOK_DLQ_NAME } from '../dlq-queues.js';
import {
  changeVisibility,
  deleteHeld,
  holdPage,
  MAX_HOLD_SECONDS,
  scanDeadLetterQueue,
} from '../dlq-scan.js';
import { type JsonObject, optionalJsonObject, rejectUnknownFields, requireJsonObject } from '../http.js';
import { type Route, route } from '../router.js';

const MAX_HOLD_PAGE = 100;
const DEFAULT_HOLD_SECONDS = 120;
/** Receipt handles per release or purge call: 100 batches of 10 fit well inside the API's 29 s. */
const MAX_HANDLES = 1000;

function namedQueue(name: string): DeadLetterQueue {
  const queue = findDeadLetterQueue(name);
  if (queue === undefined) throw new NotFoundError(`Dead-letter queue ${name} not found`);
  return queue;
}

function integerField(body: JsonObject, field: string, fallback: number, max: number): number {
  const value = body[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidRequestError(`"${field}" must be an integer from 1 to ${max}`, { detail: { field } });
  }
  return value;
}

function receiptHandles(body: JsonObject): string[] {
  const handles = body.receiptHandles;
  if (
    !Array.isArray(handles) ||
    handles.length === 0 ||
    handles.length > MAX_HANDLES ||
    !handles.every((h) => typeof h === 'string' && h !== '')
  ) {
    throw new InvalidRequestError(
      `"receiptHandles" must be a list of 1 to ${MAX_HANDLES} receipt handles from POST /v1/dlq/{name}/hold`,
      { detail: { field: 'receiptHandles' } },
    );
  }
  return handles as string[];
}

const stats = route('GET', '/v1/dlq/{name}/stats', async ({ principal, params }) => {
  requireAdmin(principal);
  const queue = namedQueue(params.name!);
  return jsonResponse(200, await scanDeadLetterQueue(queue, WEBHOOK_DLQ_NAME));
});

const hold = route('POST', '/v1/dlq/{name}/hold', async ({ event, principal, params }) => {
  requireAdmin(principal);
  const queue = namedQueue(params.name!);
  const body = optionalJsonObject(event);
  rejectUnknownFields(body, ['limit', 'holdSeconds']);
  const limit = integerField(body, 'limit', 100, MAX_HOLD_PAGE);
  const holdSeconds = integerField(body, 'holdSeconds', DEFAULT_HOLD_SECONDS, MAX_HOLD_SECONDS);
  const items = await holdPage(queue, WEBHOOK_DLQ_NAME, limit, holdSeconds);
  const heldUntil = new Date(Date.now() + holdSeconds * 1000).toISOString();
  return jsonResponse(200, { items, heldUntil });
});

const release = route('POST', '/v1/dlq/{name}/release', async ({ event, principal, params }) => {
  requireAdmin(principal);
  const queue = namedQueue(params.name!);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['receiptHandles']);
  const handles = receiptHandles(body);
  await changeVisibility(queue.url, handles, 0);
  return jsonResponse(200, { released: handles.length });
});

const purge = route('POST', '/v1/dlq/{name}/purge', async ({ event, principal, params }) => {
  requireAdmin(principal);
  const queue = namedQueue(params.name!);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['receiptHandles']);
  return jsonResponse(200, await deleteHeld(queue.url, receiptHandles(body)));
});

const dlqInspectRoutes: readonly Route[] = [stats, hold, release, purge];

export { dlqInspectRoutes };
