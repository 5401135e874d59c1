/**
 * The counter behind the caller-triggered delivery budget (delivery-budget.ts):
 * `TENANT#<tenantId>` / `DELIVERIES#<windowStart>`, attribute `deliveries`, TTL a window after its end.
 * A take is a conditional ADD whose condition is that the grant still fits, so concurrent callers
 * (management functions, the drain in dispatch) never overshoot the limit together.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import {
  type BudgetTake,
  budgetGrant,
  budgetWindow,
  type GrantMode,
  parseBudgetLimit,
} from '../delivery-budget.js';
import { TransientError } from '../errors.js';
import { compositeKey, type StoreKey } from './table.js';

/** Races lost in a row before giving up (each loss means another caller took from the budget). */
const MAX_ROUNDS = 5;

function budgetKey(tenantId: string, windowStart: number): StoreKey {
  return { pk: compositeKey('TENANT', tenantId), sk: `DELIVERIES#${windowStart}` };
}

async function counted(key: StoreKey): Promise<number> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: key, ConsistentRead: true }),
  );
  const value = result.Item?.deliveries;
  return typeof value === 'number' ? value : 0;
}

/** The deployment's limit (HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE), read on each call: it is cheap. */
function callerDeliveriesPerMinute(): number {
  return parseBudgetLimit(config.maxCallerDeliveriesPerMinute());
}

/**
 * Takes up to `requested` deliveries from the tenant's budget this minute (`mode` in delivery-budget.ts).
 * The re-enable drain calls this with `some` before it queues a backlog slice, and queues only what was
 * granted; the rest waits `retryAfterSeconds`.
 */
async function takeDeliveryBudget(
  tenantId: string,
  requested: number,
  mode: GrantMode,
  options: { now?: Date; limit?: number } = {},
): Promise<BudgetTake> {
  const limit = options.limit ?? callerDeliveriesPerMinute();
  const window = budgetWindow(options.now ?? new Date());
  const key = budgetKey(tenantId, window.start);
  let current = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const grant = budgetGrant(current, requested, limit, mode);
    if (grant === 0) {
      // Nothing fits at the count we believe; confirm against the stored count before refusing.
      const stored = await counted(key);
      if (budgetGrant(stored, requested, limit, mode) === 0) {
        return { granted: 0, requested, limit, current: stored, retryAfterSeconds: window.retryAfterSeconds };
      }
      current = stored;
      continue;
    }
    try {
      const result = await documentClient().send(
        new UpdateCommand({
          TableName: config.table(),
          Key: key,
          UpdateExpression: 'ADD deliveries :n SET expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(deliveries) OR deliveries <= :max',
          ExpressionAttributeValues: { ':n': grant, ':max': limit - grant, ':exp': window.expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const after = result.Attributes?.deliveries;
      return {
        granted: grant,
        requested,
        limit,
        current: typeof after === 'number' ? after : current + grant,
        retryAfterSeconds: window.retryAfterSeconds,
      };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      current = await counted(key);
    }
  }
  throw new TransientError('The delivery budget kept changing under concurrent requests; retry');
}

export { takeDeliveryBudget };
