/**
 * Endpoint items (docs/internals.md "Main table"): `EP#<id>` / `EP`, listed per tenant through gsi1
 * (`TENANT#<tenantId>#EP`, `<createdAt>#<id>`). Secrets are stored sealed — AES-256-GCM under a data key
 * that KMS wraps (secrets-key.ts), bound to the endpoint's id — and opened here on read, so callers see
 * `EndpointRecord.secrets` in plaintext and the table never holds one. They leave this module only
 * through `currentSigningSecrets` (for signing, read fresh) or the create/rotate answers. v1a key pairs (adrs/0009) the
 * same way: the secret key sealed in `signingKeys` (bound to endpoint and kid), the public half in
 * plaintext in `publicKeys` for the key set function; secret keys leave only through `activeSigningKeys`.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { openDataKey, sealingKey } from '../../secrets/data-keys.js';
import { open, SecretBoxError, seal } from '../../secrets/secret-box.js';
import { keysInUse } from '../../signing-keys/key-set.js';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import {
  type EndpointRecord,
  type EndpointSecret,
  type EndpointSigningKey,
  type EndpointView,
  isSignatureScheme,
  usesHmac,
} from '../model.js';
import { compositeKey, isConditionFailure, type Page, queryGsi1Page, type StoreKey } from './table.js';

/** A secret as stored: sealed, with the KMS-encrypted data key that opens it. */
interface StoredSecret {
  readonly sealed: string;
  readonly dataKey: string;
  readonly createdAt: string;
  readonly expiresAt?: number;
}

/** A v1a secret key as stored: sealed like a secret, bound to its endpoint and kid. */
interface StoredSigningKey {
  readonly kid: string;
  readonly sealed: string;
  readonly dataKey: string;
}

/** A v1a key's public half as stored, in plaintext: what the key set function reads (no KMS grant). */
interface StoredPublicKey {
  readonly kid: string;
  readonly publicKey: string;
  readonly createdAt: string;
  readonly expiresAt?: number;
}

interface EndpointChanges {
  readonly url?: string;
  readonly eventTypes?: string[];
  readonly description?: string | null;
  readonly rateLimit?: number | null;
  readonly enabled?: boolean;
  readonly filter?: Record<string, unknown> | null;
  /** Only ever cleared (null), when a user enables the endpoint again. */
  readonly disabledReason?: null;
  readonly disabledAt?: null;
  readonly signatureScheme?: EndpointRecord['signatureScheme'];
}

function keyOf(id: string): StoreKey {
  return { pk: compositeKey('EP', id), sk: 'EP' };
}

/** Binds a sealed secret to its endpoint: copied onto another endpoint's item, it does not open. */
function bindingOf(endpointId: string): string {
  return `herald:endpoint-secret:${endpointId}`;
}

async function sealSecrets(endpointId: string, secrets: readonly EndpointSecret[]): Promise<StoredSecret[]> {
  const key = await sealingKey();
  return secrets.map((s) => ({
    sealed: seal(key.plaintext, s.secret, bindingOf(endpointId)),
    dataKey: key.encrypted,
    createdAt: s.createdAt,
    ...(s.expiresAt !== undefined ? { expiresAt: s.expiresAt } : {}),
  }));
}

/** Binds a sealed secret key to its endpoint and kid (a purpose apart from the HMAC secrets'). */
function keyBindingOf(endpointId: string, kid: string): string {
  return `herald:endpoint-signing-key:${endpointId}:${kid}`;
}

/** Both stored halves of the key pairs, written together in one item write. */
async function sealSigningKeys(
  endpointId: string,
  keys: readonly EndpointSigningKey[],
): Promise<{ signingKeys: StoredSigningKey[]; publicKeys: StoredPublicKey[] }> {
  if (keys.length === 0) return { signingKeys: [], publicKeys: [] };
  const key = await sealingKey();
  return {
    signingKeys: keys.map((k) => ({
      kid: k.kid,
      sealed: seal(key.plaintext, k.secretKey, keyBindingOf(endpointId, k.kid)),
      dataKey: key.encrypted,
    })),
    publicKeys: keys.map((k) => ({
      kid: k.kid,
      publicKey: k.publicKey,
      createdAt: k.createdAt,
      ...(k.expiresAt !== undefined ? { expiresAt: k.expiresAt } : {}),
    })),
  };
}

async function openSigningKeys(
  endpointId: string,
  item: Record<string, unknown>,
): Promise<EndpointSigningKey[]> {
  const sealed = Array.isArray(item.signingKeys) ? (item.signingKeys as Record<string, unknown>[]) : [];
  const published = Array.isArray(item.publicKeys) ? (item.publicKeys as Record<string, unknown>[]) : [];
  return Promise.all(
    published.map(async (p) => {
      const kid = String(p.kid);
      const stored = sealed.find((s) => s.kid === kid);
      if (typeof stored?.sealed !== 'string' || typeof stored.dataKey !== 'string') {
        throw new SecretBoxError(`Endpoint ${endpointId} has no sealed secret key for ${kid}`);
      }
      const dataKey = await openDataKey(stored.dataKey);
      return {
        secretKey: open(dataKey, stored.sealed, keyBindingOf(endpointId, kid)),
        publicKey: String(p.publicKey),
        kid,
        createdAt: String(p.createdAt),
        ...(typeof p.expiresAt === 'number' ? { expiresAt: p.expiresAt } : {}),
      };
    }),
  );
}

async function openSecret(endpointId: string, stored: Record<string, unknown>): Promise<EndpointSecret> {
  const createdAt = String(stored.createdAt);
  const expiresAt = typeof stored.expiresAt === 'number' ? { expiresAt: stored.expiresAt } : {};
  if (typeof stored.sealed === 'string' && typeof stored.dataKey === 'string') {
    const key = await openDataKey(stored.dataKey);
    return { secret: open(key, stored.sealed, bindingOf(endpointId)), createdAt, ...expiresAt };
  }
  // Written before secrets were sealed: still signs; the next rotation stores it sealed.
  if (typeof stored.secret === 'string') return { secret: stored.secret, createdAt, ...expiresAt };
  throw new SecretBoxError(`Endpoint ${endpointId} has a secret in an unknown form`);
}

async function toRecord(item: Record<string, unknown>): Promise<EndpointRecord> {
  const id = String(item.id);
  const stored = Array.isArray(item.secrets) ? (item.secrets as Record<string, unknown>[]) : [];
  const [secrets, signingKeys] = await Promise.all([
    Promise.all(stored.map((s) => openSecret(id, s))),
    openSigningKeys(id, item),
  ]);
  return {
    id,
    tenantId: String(item.tenantId),
    url: String(item.url),
    eventTypes: Array.isArray(item.eventTypes) ? item.eventTypes.map(String) : [],
    enabled: item.enabled !== false,
    secrets,
    signingKeys,
    ...(isSignatureScheme(item.signatureScheme) ? { signatureScheme: item.signatureScheme } : {}),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    ...(typeof item.description === 'string' ? { description: item.description } : {}),
    ...(typeof item.rateLimit === 'number' ? { rateLimit: item.rateLimit } : {}),
    ...(typeof item.disabledReason === 'string' ? { disabledReason: item.disabledReason } : {}),
    ...(typeof item.disabledAt === 'string' ? { disabledAt: item.disabledAt } : {}),
    ...(typeof item.filterJson === 'string'
      ? { filter: JSON.parse(item.filterJson) as Record<string, unknown> }
      : {}),
  };
}

/** The v1a keys that sign at `nowSeconds` (none unless the scheme includes v1a), newest first. */
function signingKeysInUse(record: EndpointRecord, nowSeconds: number): EndpointSigningKey[] {
  return keysInUse({ signatureScheme: record.signatureScheme, publicKeys: record.signingKeys }, nowSeconds);
}

function viewOf(record: EndpointRecord, nowSeconds: number = Math.floor(Date.now() / 1000)): EndpointView {
  const { secrets: _secrets, signingKeys: _keys, signatureScheme, ...view } = record;
  const inUse = signingKeysInUse(record, nowSeconds);
  return {
    ...view,
    signatureScheme: signatureScheme ?? 'v1',
    ...(inUse.length > 0
      ? {
          publicKey: inUse[0]!.publicKey,
          publicKeys: inUse.map((k) => ({
            kid: k.kid,
            publicKey: k.publicKey,
            createdAt: k.createdAt,
            ...(k.expiresAt !== undefined ? { expiresAt: new Date(k.expiresAt * 1000).toISOString() } : {}),
          })),
        }
      : {}),
  };
}

/** HMAC secrets that sign at `nowSeconds` (none with scheme v1a alone), newest first. */
function activeSecrets(record: EndpointRecord, nowSeconds: number = Math.floor(Date.now() / 1000)): string[] {
  if (!usesHmac(record.signatureScheme)) return [];
  return record.secrets
    .filter((s) => s.expiresAt === undefined || s.expiresAt > nowSeconds)
    .map((s) => s.secret);
}

/**
 * A filter is stored as JSON text (`filterJson`), like a catalog schema: it comes back exactly as
 * written, whatever its numbers or keys.
 */
function filterField(filter: Record<string, unknown> | null | undefined): { filterJson?: string | null } {
  if (filter === undefined) return {};
  return { filterJson: filter === null ? null : JSON.stringify(filter) };
}

/** v1a secret keys that sign at `nowSeconds`: the same decision the key set document lists from. */
function activeSigningKeys(
  record: EndpointRecord,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): string[] {
  return signingKeysInUse(record, nowSeconds).map((k) => k.secretKey);
}

/**
 * The endpoint's HMAC signing secrets active now (none when its scheme is `v1a` alone), read strongly
 * consistent at signing time: a cached
 * endpoint record may be 5 s old, and a secret expired by `rotate-secret` with `expireCurrentNow`
 * must sign nothing from that call's answer on. Undefined when the endpoint is gone.
 */
async function currentSigningSecrets(
  endpointId: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<string[] | undefined> {
  const result = await documentClient().send(
    new GetCommand({
      TableName: config.table(),
      Key: keyOf(endpointId),
      ConsistentRead: true,
      ProjectionExpression: 'secrets, signatureScheme',
    }),
  );
  if (result.Item === undefined) return undefined;
  if (!usesHmac(result.Item.signatureScheme as EndpointRecord['signatureScheme'])) return [];
  const stored = Array.isArray(result.Item.secrets) ? (result.Item.secrets as Record<string, unknown>[]) : [];
  const secrets = await Promise.all(stored.map((s) => openSecret(endpointId, s)));
  return secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > nowSeconds).map((s) => s.secret);
}

async function putEndpoint(record: EndpointRecord): Promise<void> {
  const secrets = await sealSecrets(record.id, record.secrets);
  const { filter, ...fields } = record;
  // Replaces the plaintext keys of `...record`: no secret key is ever written unsealed.
  const keys = await sealSigningKeys(record.id, record.signingKeys);
  await documentClient().send(
    new PutCommand({
      TableName: config.table(),
      Item: {
        ...keyOf(record.id),
        gsi1pk: compositeKey('TENANT', record.tenantId, 'EP'),
        gsi1sk: compositeKey(record.createdAt, record.id),
        ...fields,
        ...filterField(filter),
        secrets,
        ...keys,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

async function getEndpoint(id: string): Promise<EndpointRecord | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: keyOf(id), ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : await toRecord(result.Item);
}

async function listEndpoints(
  tenantId: string,
  options: { limit: number; startKey?: StoreKey },
): Promise<Page<EndpointRecord>> {
  const page = await queryGsi1Page(compositeKey('TENANT', tenantId, 'EP'), options);
  return { ...page, items: await Promise.all(page.items.map(toRecord)) };
}

/**
 * Applies `changes` if the item still has `expectedUpdatedAt` (optimistic concurrency, so two PATCHes
 * or a PATCH and a rotation never silently undo each other). Answers the new record, or undefined when
 * the item is gone or changed meanwhile.
 */
async function updateEndpoint(
  id: string,
  expectedUpdatedAt: string,
  changes: EndpointChanges & { secrets?: EndpointSecret[]; signingKeys?: EndpointSigningKey[] },
  updatedAt: string,
): Promise<EndpointRecord | undefined> {
  const sets: string[] = ['updatedAt = :updatedAt'];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':updatedAt': updatedAt, ':expected': expectedUpdatedAt };
  const { filter, ...plain } = changes;
  const stored = {
    ...(changes.secrets === undefined ? {} : { secrets: await sealSecrets(id, changes.secrets) }),
    // Both halves in the same update: the public half never names a key the sealed half lacks.
    ...(changes.signingKeys === undefined ? {} : await sealSigningKeys(id, changes.signingKeys)),
  };
  for (const [field, value] of Object.entries({ ...plain, ...filterField(filter), ...stored })) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) {
      removes.push(`#${field}`);
    } else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: keyOf(id),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND updatedAt = :expected',
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes === undefined ? undefined : await toRecord(result.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Herald disables an endpoint itself (every attempt failed for the configured period). Conditioned on
 * it being enabled, so a user's concurrent PATCH is never overwritten and only one caller reports it.
 */
async function disableEndpoint(id: string, reason: string, at: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: keyOf(id),
        UpdateExpression: 'SET enabled = :false, disabledReason = :reason, disabledAt = :at, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND enabled = :true',
        ExpressionAttributeValues: { ':false': false, ':true': true, ':reason': reason, ':at': at },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function deleteEndpoint(id: string): Promise<boolean> {
  const result = await documentClient().send(
    new DeleteCommand({ TableName: config.table(), Key: keyOf(id), ReturnValues: 'ALL_OLD' }),
  );
  return result.Attributes !== undefined;
}

export type { EndpointChanges, StoredSecret };
export {
  activeSecrets,
  activeSigningKeys,
  currentSigningSecrets,
  deleteEndpoint,
  disableEndpoint,
  getEndpoint,
  listEndpoints,
  putEndpoint,
  updateEndpoint,
  viewOf,
};
