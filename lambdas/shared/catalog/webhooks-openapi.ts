/**
 * The catalog as an OpenAPI 3.1 document for receivers: one `webhooks` entry per publishable type, its
 * payload (the envelope Herald POSTs, with `data` the type's schema), the Standard Webhooks headers and
 * an example. Pure: the caller passes the entries, so the CLI and the route build the same document.
 */
import { createHash } from 'node:crypto';
import { explicitOpenObjects } from './open-objects.js';

type JsonSchema = Record<string, unknown>;

interface ExportedType {
  readonly name: string;
  readonly description: string;
  /** 0 when the type has no schema. */
  readonly version: number;
  readonly schema?: JsonSchema;
  readonly examples?: readonly unknown[];
}

const EXAMPLE_EVENT_ID = 'evt_01JD0000000000000000000000';
const EXAMPLE_TIME = '2026-12-01T12:00:00.000Z';

const SIGNATURE_HEADERS = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description: 'The event id; the same on every retry and replay, so dedupe on it.',
    schema: { type: 'string', pattern: '^evt_' },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'Unix seconds when this attempt was signed; refuse ones far from your clock.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      'Space-separated `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, one per active secret, then, with the endpoint\'s `signatureScheme` v1a, `v1a,<base64 ed25519 signature of the same>`, one per active key (verify with the endpoint\'s `publicKey` or GET /v1/tenants/{tenantId}/jwks.json) (Standard Webhooks).',
    schema: { type: 'string', pattern: '^v1a?,' },
  },
];

/**
 * The type's `data` schema as a subschema (`$schema` belongs at a document root, not here), its
 * free-form objects explicit so generated clients can index them.
 */
function dataSchema(type: ExportedType): JsonSchema {
  if (type.schema === undefined)
    return {
      type: 'object',
      additionalProperties: true,
      description: 'Any JSON object (no schema registered).',
    };
  const { $schema: _dialect, ...rest } = type.schema;
  return explicitOpenObjects(rest);
}

function envelope(type: ExportedType): JsonSchema {
  return {
    type: 'object',
    required: ['id', 'type', 'tenantId', 'createdAt', 'data', ...(type.version > 0 ? ['schemaVersion'] : [])],
    properties: {
      id: { type: 'string', pattern: '^evt_', description: 'Equals the webhook-id header.' },
      type: { const: type.name },
      tenantId: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      ...(type.version > 0
        ? {
            schemaVersion: {
              const: type.version,
              description: 'The schema version `data` was validated against.',
            },
          }
        : {}),
      data: { $ref: `#/components/schemas/${componentName(type.name)}` },
    },
  };
}

function componentName(typeName: string): string {
  return `${typeName}.data`;
}

function example(type: ExportedType): Record<string, unknown> | undefined {
  const data = type.examples?.[0];
  if (data === undefined) return undefined;
  return {
    id: EXAMPLE_EVENT_ID,
    type: type.name,
    tenantId: 't_1',
    createdAt: EXAMPLE_TIME,
    ...(type.version > 0 ? { schemaVersion: type.version } : {}),
    data,
  };
}

function webhookEntry(type: ExportedType): Record<string, unknown> {
  const sample = example(type);
  return {
    post: {
      operationId: `receive.${type.name}`,
      summary: type.name,
      description: type.description,
      parameters: SIGNATURE_HEADERS,
      // Authenticated by the webhook-signature header, which no OpenAPI security scheme describes.
      security: [],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: envelope(type),
            ...(sample !== undefined ? { examples: { example: { value: sample } } } : {}),
          },
        },
      },
      responses: {
        '2XX': { description: 'Received: the delivery succeeded.' },
        default: {
          description:
            'A failed attempt (as is no answer within the timeout): retried with backoff, except a 4xx other than 408, 409, 425 and 429. 429 and 503 honour Retry-After.',
        },
      },
    },
  };
}

/** The OpenAPI 3.1 document; `info.version` is a digest of the catalog, so it changes when a type does. */
function webhooksDocument(types: readonly ExportedType[]): Record<string, unknown> {
  const sorted = [...types].sort((a, b) => a.name.localeCompare(b.name));
  const digest = createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 12);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Herald webhooks',
      version: digest,
      description:
        'The webhooks Herald POSTs, one per event type in the catalog. Verify webhook-signature with any Standard Webhooks library before trusting the body.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: '{endpointUrl}',
        description: 'Your endpoint: Herald POSTs every webhook below to the URL you registered',
        variables: { endpointUrl: { default: 'https://example.com/webhooks' } },
      },
    ],
    webhooks: Object.fromEntries(sorted.map((type) => [type.name, webhookEntry(type)])),
    components: {
      schemas: Object.fromEntries(sorted.map((type) => [componentName(type.name), dataSchema(type)])),
    },
  };
}

export type { ExportedType };
export { webhooksDocument };
