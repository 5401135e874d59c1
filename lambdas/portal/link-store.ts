/**
 * Portal link items (docs/internals.md "Main table"): `PORTAL#<linkId>` / `PORTAL`. One item is the
 * link and, once exchanged, its session: only SHA-256 hashes of either token are stored. `expiresAt`
 * (epoch seconds) is the table's TTL attribute and is also checked on every read, since TTL deletion
 * is late (and absent in dynalite).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import {
  compositeKey,
  isConditionFailure,
  keyPart,
  type Page,
  queryGsi1Page,
  type StoreKey,
} from '../shared/store/table.js';
import type { PortalLinkState } from './tokens.js';

interface PortalLinkRecord extends PortalLinkState {
  readonly id: string;
  readonly createdAt: string;
  readonly exchangedAt?: string;
}

/** What a listing shows: no hash of either token. */
interface PortalLinkSummary {
  readonly id: string;
  readonly tenantId: string;
  readonly createdBy?: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** `unused` (the link is open), `active` (exchanged for a session), `expired`. */
  readonly state: 'unused' | 'active' | 'expired';
  readonly exchangedAt?: string;
}

/** Listed through gsi1 as `PORTALS` / `<createdBy>#<createdAt>#<id>`: one minter's links are a range. */
const LIST_PK = 'PORTALS';

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
    ...(typeof item.createdBy === 'string' ? { createdBy: item.createdBy } : {}),
  };
}

function summarize(record: PortalLinkRecord, nowSeconds: number): PortalLinkSummary {
  return {
    id: record.id,
    tenantId: record.tenantId,
    ...(record.createdBy !== undefined ? { createdBy: record.createdBy } : {}),
    createdAt: record.createdAt,
    expiresAt: new Date(record.expiresAt * 1000).toISOString(),
    state:
      nowSeconds >= record.expiresAt ? 'expired' : record.sessionHash === undefined ? 'unused' : 'active',
    ...(record.exchangedAt !== undefined ? { exchangedAt: record.exchangedAt } : {}),
  };
}

/** Links, all (admin) or one minter's (`createdBy`), without their hashes. */
async function listPortalLinks(options: {
  limit: number;
  startKey?: StoreKey;
  createdBy?: string;
  now?: Date;
}): Promise<Page<PortalLinkSummary>> {
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const page = await queryGsi1Page(LIST_PK, {
    limit: options.limit,
    ...(options.startKey ? { startKey: options.startKey } : {}),
    ...(options.createdBy !== undefined
      ? {
          range: ' AND begins_with(gsi1sk, :minter)',
          values: { ':minter': `${keyPart(options.createdBy)}#` },
        }
      : {}),
  });
  return { ...page, items: page.items.map((item) => summarize(toRecord(item), nowSeconds)) };
}

/** Writes a new link; ids are random, so an existing item means a bug — fail rather than overwrite. */
async function putPortalLink(record: PortalLinkRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.table(),
      Item: {
        ...keyOf(record.id),
        gsi1pk: LIST_PK,
        gsi1sk: compositeKey(record.createdBy ?? '-', record.createdAt, record.id),
        ...record,
      },
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

export type { PortalLinkRecord, PortalLinkSummary };
export { deletePortalLink, exchangePortalLink, getPortalLink, listPortalLinks, putPortalLink };
