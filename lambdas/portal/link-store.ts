/**
 * Portal link items (docs/internals.md "Main table"): `PORTAL#<linkId>` / `PORTAL`. One item is the
 * link and, once exchanged, its session: only SHA-256 hashes of either token are stored. `expiresAt`
 * (epoch seconds) is the table's TTL attribute and is also checked on every read, since TTL deletion
 * is late (and absent in dynalite).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { compositeKey, isConditionFailure } from '../shared/store/table.js';
import type { PortalLinkState } from './tokens.js';

interface PortalLinkRecord extends PortalLinkState {
  readonly id: string;
  readonly createdAt: string;
  readonly exchangedAt?: string;
}

function keyOf(id: string): Record<string, string> {
  return { pk: compositeKey('PORTAL', id), sk: 'PORTAL' };
}

function toRecord(item: Record<string, unknown>): PortalLinkRecord {
  return {
    id: String(item.id),
    tenantId: String(item.tenantId),
    linkHash: String(item.linkHash),
    expiresAt: Number(item.expiresAt),
    createdAt: String(item.createdAt),
    ...(typeof item.sessionHash === 'string' ? { sessionHash: item.sessionHash } : {}),
    ...(typeof item.exchangedAt === 'string' ? { exchangedAt: item.exchangedAt } : {}),
  };
}

/** Writes a new link; ids are random, so an existing item means a bug — fail rather than overwrite. */
async function putPortalLink(record: PortalLinkRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.table(),
      Item: { ...keyOf(record.id), ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Strongly consistent, so a revoked link or session is refused on the very next request. */
async function getPortalLink(id: string): Promise<PortalLinkRecord | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: keyOf(id), ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : toRecord(result.Item);
}

/**
 * Turns the link into its session, once: conditioned on the link hash, no session yet, not expired.
 * Answers false when another request won, or the link changed meanwhile.
 */
async function exchangePortalLink(
  id: string,
  linkHash: string,
  sessionHash: string,
  now: Date,
): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: keyOf(id),
        UpdateExpression: 'SET sessionHash = :session, exchangedAt = :now',
        ConditionExpression: 'linkHash = :link AND attribute_not_exists(sessionHash) AND expiresAt > :nowSec',
        ExpressionAttributeValues: {
          ':session': sessionHash,
          ':now': now.toISOString(),
          ':link': linkHash,
          ':nowSec': Math.floor(now.getTime() / 1000),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Deletes the link and with it its session; answers the deleted record, if there was one. */
async function deletePortalLink(id: string): Promise<PortalLinkRecord | undefined> {
  const result = await documentClient().send(
    new DeleteCommand({ TableName: config.table(), Key: keyOf(id), ReturnValues: 'ALL_OLD' }),
  );
  return result.Attributes === undefined ? undefined : toRecord(result.Attributes);
}

export type { PortalLinkRecord };
export { deletePortalLink, exchangePortalLink, getPortalLink, putPortalLink };
