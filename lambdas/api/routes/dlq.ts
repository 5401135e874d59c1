/** /v1/dlq — admin only: list every DLQ with depth and age, peek without losing, redrive by hand. */
import { requireAdmin } from '../../shared/auth.js';
import { InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/problem.js';
import {
  type DeadLetterQueue,
  deadLetterQueues,
  describeDeadLetterQueue,
  findDeadLetterQueue,
  peekMessages,
  redrive,
  WEBHOOK_DLQ_NAME,
} from '../dlq-queues.js';
import { kindOf } from '../dlq-scan.js';
import { deadLetterFacts } from '../dlq-stats.js';
import { optionalJsonObject, parseLimit, rejectUnknownFields } from '../http.js';
import { type Route, route } from '../router.js';

const MAX_PEEK = 100;
const DEFAULT_REDRIVE = 100;
const MAX_REDRIVE = 1000;

function namedQueue(name: string): DeadLetterQueue {
  const queue = findDeadLetterQueue(name);
  if (queue === undefined) throw new NotFoundError(`Dead-letter queue ${name} not found`);
  return queue;
}

const listQueues = route('GET', '/v1/dlq', async ({ principal }) => {
  requireAdmin(principal);
  const items = await Promise.all(deadLetterQueues().map((queue) => describeDeadLetterQueue(queue)));
  return jsonResponse(200, { items });
});

const peek = route('GET', '/v1/dlq/{name}/messages', async ({ principal, params, query }) => {
  requireAdmin(principal);
  const queue = namedQueue(params.name!);
  const target = { name: queue.name, kind: kindOf(queue, WEBHOOK_DLQ_NAME) };
  const items = (await peekMessages(queue, parseLimit(query.limit, 10, MAX_PEEK))).map((message) => {
    // Why it is there, read as `stats` counts it (dlq-stats.ts).
    const { messageId: _id, sentAt: _sent, ...facts } = deadLetterFacts(target, message);
    return { ...message, facts };
  });
  return jsonResponse(200, { items });
});

const redriveQueue = route('POST', '/v1/dlq/{name}/redrive', async ({ event, principal, params }) => {
  requireAdmin(principal);
  const queue = namedQueue(params.name!);
  const body = optionalJsonObject(event);
  rejectUnknownFields(body, ['limit']);
  const limit = body.limit ?? DEFAULT_REDRIVE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_REDRIVE) {
    throw new InvalidRequestError(`"limit" must be an integer from 1 to ${MAX_REDRIVE}`, {
      detail: { field: 'limit' },
    });
  }
  const result = await redrive(queue, limit);
  return jsonResponse(200, { ...result, sourceQueue: queue.sourceQueue });
});

const dlqRoutes: readonly Route[] = [listQueues, peek, redriveQueue];

export { dlqRoutes };
