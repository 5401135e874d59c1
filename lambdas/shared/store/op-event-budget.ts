/**
 * The per-tenant bound on operational events (docs/api.md "Operational events"): one counter per tenant
 * and minute, `TENANT#<id>` / `OPS#<epoch minute>`, taken with an atomic ADD (no read, no contention
 * beyond the item), kept an hour for inspection.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { compositeKey } from './table.js';

const RETENTION_SECONDS = 60 * 60;

/** Counts one operational event for the tenant in `minute` (epoch minutes); answers the count after it. */
async function countOpEvent(tenantId: string, minute: number): Promise<number> {
  const result = await documentClient().send(
    new UpdateCommand({
      TableName: config.table(),
      Key: { pk: compositeKey('TENANT', tenantId), sk: compositeKey('OPS', String(minute)) },
      UpdateExpression: 'ADD n :one SET expiresAt = if_not_exists(expiresAt, :exp)',
      ExpressionAttributeValues: { ':one': 1, ':exp': minute * 60 + RETENTION_SECONDS },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(result.Attributes?.n ?? 1);
}

export { countOpEvent };
