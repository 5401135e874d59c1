/**
 * Event-type catalog items (docs/internals.md "Main table"): the type `ETYPE#<name>` / `ETYPE` (listed
 * by name through gsi1 `ETYPES` / `<name>`) holds the current version's schema, so publishing needs one
 * GetItem per cache miss; each version is kept as `ETYPE#<name>` / `V#<version:4>` for history.
 * Schemas and examples are stored as JSON text: DynamoDB numbers cannot hold every JSON number
 * (1e400, 40-digit integers) and a schema must come back exactly as registered.
 *
 * The type item is the point of truth and of serialisation (conditional writes on `version`); a
 * version item is written after it, so a crash in between loses only a history row, which reads make
 * up from the type item.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { compositeKey, isConditionFailure, type Page, queryGsi1Page, type StoreKey } from './table.js';

type JsonSchema = Record<string, unknown>;

interface EventTypeVersion {
  readonly version: number;
  readonly schema: JsonSchema;
  readonly examples?: unknown[];
  readonly createdAt: string;
}

interface EventTypeRecord {
  readonly name: string;
  readonly description: string;
  /** The current schema version; 0 while the type has no schema. */
  readonly version: number;
  readonly schema?: JsonSchema;
  readonly examples?: unknown[];
  /** When the current version was created (part of its compiled-validator cache key). */
  readonly versionCreatedAt?: string;
  readonly archived: boolean;
  readonly archivedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function typeKey(name: string): StoreKey {
  return { pk: compositeKey('ETYPE', name), sk: 'ETYPE' };
}

function versionSk(version: number): string {
  return compositeKey('V', String(version).padStart(4, '0'));
}

function parseJsonText(text: unknown): unknown {
  return typeof text === 'string' ? JSON.parse(text) : undefined;
}

function toRecord(item: Record<string, unknown>): EventTypeRecord {
  const schema = parseJsonText(item.schemaJson) as JsonSchema | undefined;
  const examples = parseJsonText(item.examplesJson) as unknown[] | undefined;
  return {
    name: String(item.name),
    description: String(item.description ?? ''),
    version: Number(item.version ?? 0),
    ...(schema !== undefined ? { schema } : {}),
    ...(examples !== undefined ? { examples } : {}),
    ...(typeof item.versionCreatedAt === 'string' ? { versionCreatedAt: item.versionCreatedAt } : {}),
    archived: item.archived === true,
    ...(typeof item.archivedAt === 'string' ? { archivedAt: item.archivedAt } : {}),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

function toVersion(item: Record<string, unknown>): EventTypeVersion {
  const examples = parseJsonText(item.examplesJson) as unknown[] | undefined;
  return {
    version: Number(item.version),
    schema: parseJsonText(item.schemaJson) as JsonSchema,
    ...(examples !== undefined ? { examples } : {}),
    createdAt: String(item.createdAt),
  };
}

function versionFields(version: Omit<EventTypeVersion, 'version'>): Record<string, string> {
  return {
    schemaJson: JSON.stringify(version.schema),
    ...(version.examples !== undefined ? { examplesJson: JSON.stringify(version.examples) } : {}),
  };
}

async function putVersionItem(name: string, version: EventTypeVersion): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.table(),
      Item: {
        pk: compositeKey('ETYPE', name),
        sk: versionSk(version.version),
        name,
        version: version.version,
        createdAt: version.createdAt,
        ...versionFields(version),
      },
    }),
  );
}

/** Creates the type (and its version 1 when it has a schema); false when the name is taken. */
async function createEventType(record: EventTypeRecord): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: {
          ...typeKey(record.name),
          gsi1pk: 'ETYPES',
          gsi1sk: record.name,
          name: record.name,
          description: record.description,
          version: record.version,
          archived: false,
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
          ...(record.schema !== undefined
            ? {
                versionCreatedAt: record.createdAt,
                ...versionFields({
                  schema: record.schema,
                  examples: record.examples,
                  createdAt: record.createdAt,
                }),
              }
            : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  if (record.schema !== undefined) {
    await putVersionItem(record.name, {
      version: record.version,
      schema: record.schema,
      ...(record.examples !== undefined ? { examples: record.examples } : {}),
      createdAt: record.createdAt,
    });
  }
  return true;
}

async function getEventType(
  name: string,
  options: { consistent?: boolean } = {},
): Promise<EventTypeRecord | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: typeKey(name), ConsistentRead: options.consistent }),
  );
  return result.Item === undefined ? undefined : toRecord(result.Item);
}

/** The type and every version, oldest first; a version whose history row is missing comes from the type. */
async function getEventTypeWithVersions(
  name: string,
): Promise<{ type: EventTypeRecord; versions: EventTypeVersion[] } | undefined> {
  let type: EventTypeRecord | undefined;
  const versions: EventTypeVersion[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': compositeKey('ETYPE', name) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.sk === 'ETYPE') type = toRecord(item);
      else if (typeof item.sk === 'string' && item.sk.startsWith('V#')) versions.push(toVersion(item));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  if (type === undefined) return undefined;
  if (type.schema !== undefined && !versions.some((v) => v.version === type.version)) {
    versions.push({
      version: type.version,
      schema: type.schema,
      ...(type.examples !== undefined ? { examples: type.examples } : {}),
      createdAt: type.versionCreatedAt ?? type.updatedAt,
    });
  }
  versions.sort((a, b) => a.version - b.version);
  return { type, versions };
}

/**
 * Makes `version` (= the current version + 1) current; false when the type moved on meanwhile (another
 * writer, or archived), so concurrent PUTs cannot both win.
 */
async function addSchemaVersion(name: string, previous: number, version: EventTypeVersion): Promise<boolean> {
  const fields = versionFields(version);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: typeKey(name),
        UpdateExpression:
          'SET version = :v, schemaJson = :s, versionCreatedAt = :at, updatedAt = :at' +
          (fields.examplesJson !== undefined ? ', examplesJson = :e' : ' REMOVE examplesJson'),
        ConditionExpression: 'version = :previous AND archived = :false',
        ExpressionAttributeValues: {
          ':v': version.version,
          ':s': fields.schemaJson,
          ':at': version.createdAt,
          ':previous': previous,
          ':false': false,
          ...(fields.examplesJson !== undefined ? { ':e': fields.examplesJson } : {}),
        },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  await putVersionItem(name, version);
  return true;
}

/** Marks the type archived (once; archiving again keeps the first time); false when there is none. */
async function archiveEventType(name: string, at: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: typeKey(name),
        UpdateExpression:
          'SET archived = :true, archivedAt = if_not_exists(archivedAt, :at), updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':at': at },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Registered types by name (without their schemas' history). */
async function listEventTypes(options: {
  limit: number;
  startKey?: StoreKey;
}): Promise<Page<EventTypeRecord>> {
  const page = await queryGsi1Page('ETYPES', options);
  return { ...page, items: page.items.map(toRecord) };
}

export type { EventTypeRecord, EventTypeVersion };
export {
  addSchemaVersion,
  archiveEventType,
  createEventType,
  getEventType,
  getEventTypeWithVersions,
  listEventTypes,
};
