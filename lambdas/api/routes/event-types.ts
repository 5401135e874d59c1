/**
 * /v1/event-types — the catalog (docs/api.md "Event types"). Every role reads it; only admins change
 * it. Herald's own types (schemas/ in the repository) are listed first and are read-only here. A new
 * schema version must pass the compatibility checker; a breaking change is a new type name.
 */
import { requireAdmin } from '../../shared/auth.js';
import { BUILT_IN_NAMES, type BuiltInType, builtInType } from '../../shared/catalog/built-in.js';
import { forgetCatalogEntry } from '../../shared/catalog/catalog.js';
import { checkCompatibility } from '../../shared/catalog/compatibility.js';
import {
  type PointerMessage,
  SchemaIncompatibleError,
  SchemaValidationFailedError,
} from '../../shared/catalog/errors.js';
import {
  assertUsableSchema,
  type JsonSchema,
  loadJsonSchemaEngine,
  validateOnce,
} from '../../shared/catalog/validator.js';
import { type ExportedType, webhooksDocument } from '../../shared/catalog/webhooks-openapi.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/problem.js';
import {
  addSchemaVersion,
  archiveEventType,
  createEventType,
  type EventTypeRecord,
  type EventTypeVersion,
  getEventType,
  getEventTypeWithVersions,
  listEventTypes,
} from '../../shared/store/event-types.js';
import type { StoreKey } from '../../shared/store/table.js';
import { EVENT_TYPE_PATTERN, MAX_EVENT_TYPE_LENGTH } from '../../shared/validation.js';
import {
  decodeCursor,
  encodeCursor,
  type JsonObject,
  parseLimit,
  rejectUnknownFields,
  requiredString,
  requireJsonObject,
} from '../http.js';
import { type Route, route } from '../router.js';

const MAX_DESCRIPTION_LENGTH = 1024;
const MAX_EXAMPLES = 20;

/** What the API shows of a type; `schema`/`examples` only on a single type. */
interface EventTypeView {
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly archived: boolean;
  /** The current schema version; 0 while the type has no schema. */
  readonly version: number;
  readonly schema?: JsonSchema;
  readonly examples?: unknown[];
  readonly archivedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function builtInView(type: BuiltInType, full: boolean): EventTypeView {
  return {
    name: type.name,
    description: type.description,
    builtIn: true,
    archived: false,
    version: type.version,
    ...(full ? { schema: type.schema, examples: [...type.examples] } : {}),
    createdAt: type.createdAt,
    updatedAt: type.updatedAt,
  };
}

function recordView(record: EventTypeRecord, full: boolean): EventTypeView {
  return {
    name: record.name,
    description: record.description,
    builtIn: false,
    archived: record.archived,
    version: record.version,
    ...(full && record.schema !== undefined ? { schema: record.schema } : {}),
    ...(full && record.examples !== undefined ? { examples: record.examples } : {}),
    ...(record.archivedAt !== undefined ? { archivedAt: record.archivedAt } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function typeName(raw: string, field = 'name'): string {
  if (raw.length > MAX_EVENT_TYPE_LENGTH || !EVENT_TYPE_PATTERN.test(raw)) {
    throw new InvalidRequestError(
      `"${field}" must match ${EVENT_TYPE_PATTERN.source} and be at most ${MAX_EVENT_TYPE_LENGTH} characters`,
      { detail: { field } },
    );
  }
  return raw;
}

function refuseBuiltIn(name: string): void {
  if (builtInType(name) !== undefined) {
    throw new ConflictError(
      `"${name}" is one of Herald's own types: it changes with Herald (schemas/ in the repository), not through the API`,
      { detail: { name } },
    );
  }
}

/** `schema` and `examples` from a body: the schema compiles, and every example validates against it. */
async function schemaAndExamples(body: JsonObject): Promise<{ schema?: JsonSchema; examples?: unknown[] }> {
  const schema = body.schema === undefined ? undefined : await assertUsableSchema(body.schema, 'schema');
  const { examples } = body;
  if (examples === undefined) return schema === undefined ? {} : { schema };
  if (!Array.isArray(examples) || examples.length > MAX_EXAMPLES) {
    throw new InvalidRequestError(`"examples" must be an array of at most ${MAX_EXAMPLES} items`, {
      detail: { field: 'examples' },
    });
  }
  const errors: PointerMessage[] = [];
  for (const [i, example] of examples.entries()) {
    if (example === null || typeof example !== 'object' || Array.isArray(example)) {
      errors.push({ pointer: `/examples/${i}`, message: 'must be an object (an example of "data")' });
    } else if (schema !== undefined) {
      errors.push(...(await validateOnce(schema, example, `/examples/${i}`)));
    }
  }
  if (errors.length > 0) {
    throw new SchemaValidationFailedError(
      'An example does not match the schema; see "errors"',
      errors.slice(0, 20),
    );
  }
  return { ...(schema !== undefined ? { schema } : {}), examples };
}

const createType = route('POST', '/v1/event-types', async ({ event, principal }) => {
  requireAdmin(principal);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['name', 'description', 'schema', 'examples']);
  const name = typeName(requiredString(body, 'name', MAX_EVENT_TYPE_LENGTH));
  if (name.startsWith('herald.')) {
    throw new InvalidRequestError('Types starting "herald." are reserved for Herald', {
      detail: { field: 'name' },
    });
  }
  refuseBuiltIn(name);
  const description = requiredString(body, 'description', MAX_DESCRIPTION_LENGTH);
  const { schema, examples } = await schemaAndExamples(body);
  const now = new Date().toISOString();
  const record: EventTypeRecord = {
    name,
    description,
    version: schema === undefined ? 0 : 1,
    ...(schema !== undefined ? { schema } : {}),
    ...(examples !== undefined ? { examples } : {}),
    archived: false,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await createEventType(record))) {
    throw new ConflictError(`Event type "${name}" already exists (archived names are not reused)`, {
      detail: { name },
    });
  }
  forgetCatalogEntry(name);
  return jsonResponse(201, recordView(record, true));
});

/** The cursor of a page that ends inside the built-ins: the index of the next one. */
const BUILT_IN_CURSOR = 'ETYPES#BUILTIN';

function builtInCursor(next: number): string | undefined {
  return encodeCursor({ gsi1pk: BUILT_IN_CURSOR, gsi1sk: String(next) });
}

/** Where a list starts: a built-in index, or a DynamoDB key among the registered types. */
function listStart(cursor: StoreKey | undefined): { builtIn: number } | { startKey: StoreKey } {
  if (cursor === undefined) return { builtIn: 0 };
  if (cursor.gsi1pk !== BUILT_IN_CURSOR) return { startKey: cursor };
  const index = Number(cursor.gsi1sk);
  if (!Number.isInteger(index) || index < 0 || index > BUILT_IN_NAMES.length) {
    throw new InvalidRequestError('"cursor" is not a cursor this API returned', {
      detail: { field: 'cursor' },
    });
  }
  return { builtIn: index };
}

/** Built-ins first, then registered types by name. */
const listTypes = route('GET', '/v1/event-types', async ({ query }) => {
  const limit = parseLimit(query.limit);
  const start = listStart(decodeCursor(query.cursor));
  const items: EventTypeView[] = [];
  if ('builtIn' in start) {
    const names = BUILT_IN_NAMES.slice(start.builtIn, start.builtIn + limit);
    items.push(...names.map((n) => builtInView(builtInType(n)!, false)));
    const next = start.builtIn + names.length;
    if (next < BUILT_IN_NAMES.length || items.length === limit) {
      return jsonResponse(200, { items, nextCursor: builtInCursor(next) });
    }
  }
  const startKey = 'startKey' in start ? start.startKey : undefined;
  const page = await listEventTypes({ limit: limit - items.length, ...(startKey ? { startKey } : {}) });
  items.push(...page.items.map((r) => recordView(r, false)));
  const nextCursor = encodeCursor(page.lastEvaluatedKey);
  return jsonResponse(200, nextCursor === undefined ? { items } : { items, nextCursor });
});

const readType = route('GET', '/v1/event-types/{name}', async ({ params }) => {
  const name = params.name!;
  const builtIn = builtInType(name);
  if (builtIn !== undefined) {
    const view = builtInView(builtIn, true);
    return jsonResponse(200, {
      ...view,
      versions: [
        { version: 1, schema: builtIn.schema, examples: [...builtIn.examples], createdAt: builtIn.createdAt },
      ],
    });
  }
  const found = await getEventTypeWithVersions(name);
  if (found === undefined) throw new NotFoundError(`Event type "${name}" not found`);
  return jsonResponse(200, { ...recordView(found.type, true), versions: found.versions });
});

const putSchema = route('PUT', '/v1/event-types/{name}/schema', async ({ event, principal, params }) => {
  requireAdmin(principal);
  const name = params.name!;
  refuseBuiltIn(name);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['schema', 'examples']);
  if (body.schema === undefined) {
    throw new InvalidRequestError('"schema" is required', { detail: { field: 'schema' } });
  }
  const { schema, examples } = (await schemaAndExamples(body)) as {
    schema: JsonSchema;
    examples?: unknown[];
  };
  const current = await getEventType(name, { consistent: true });
  if (current === undefined) throw new NotFoundError(`Event type "${name}" not found`);
  if (current.archived) {
    throw new ConflictError(`Event type "${name}" is archived; its schema cannot change`, {
      detail: { name },
    });
  }
  const unchanged =
    current.schema !== undefined &&
    JSON.stringify(current.schema) === JSON.stringify(schema) &&
    JSON.stringify(current.examples) === JSON.stringify(examples);
  if (unchanged) return jsonResponse(200, recordView(current, true));
  // No schema so far means every payload was accepted: only a schema that accepts everything keeps that.
  const verdict = checkCompatibility(current.schema ?? true, schema, await loadJsonSchemaEngine());
  if (!verdict.compatible) {
    throw new SchemaIncompatibleError(
      `The new schema would refuse events that version ${current.version} accepts; publish breaking changes under a new type name (e.g. "${name}.v2")`,
      verdict.reasons,
    );
  }
  const version: EventTypeVersion = {
    version: current.version + 1,
    schema,
    ...(examples !== undefined ? { examples } : {}),
    createdAt: new Date().toISOString(),
  };
  if (!(await addSchemaVersion(name, current.version, version))) {
    throw new ConflictError(`Event type "${name}" changed meanwhile; read it again and retry`, {
      detail: { name },
    });
  }
  forgetCatalogEntry(name);
  const updated = await getEventType(name, { consistent: true });
  return jsonResponse(200, recordView(updated ?? current, true));
});

const archiveType = route('DELETE', '/v1/event-types/{name}', async ({ principal, params }) => {
  requireAdmin(principal);
  const name = params.name!;
  refuseBuiltIn(name);
  if (!(await archiveEventType(name, new Date().toISOString()))) {
    throw new NotFoundError(`Event type "${name}" not found`);
  }
  forgetCatalogEntry(name);
  return { statusCode: 204 };
});

/** Every publishable type: built-ins, then every registered type that is not archived. */
async function exportedTypes(): Promise<ExportedType[]> {
  const types: ExportedType[] = BUILT_IN_NAMES.map((n) => builtInType(n)!);
  let startKey: StoreKey | undefined;
  do {
    const page = await listEventTypes({ limit: 100, ...(startKey ? { startKey } : {}) });
    for (const record of page.items) {
      if (!record.archived) types.push(record);
    }
    startKey = page.lastEvaluatedKey;
  } while (startKey !== undefined);
  return types;
}

const exportWebhooks = route('GET', '/v1/openapi/webhooks.json', async () =>
  jsonResponse(200, webhooksDocument(await exportedTypes())),
);

const eventTypeRoutes: readonly Route[] = [
  createType,
  listTypes,
  readType,
  putSchema,
  archiveType,
  exportWebhooks,
];

export { eventTypeRoutes };
