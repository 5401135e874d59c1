import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTE_TABLE } from '../../../lambdas/api/management.handler.js';
import { KEY_SET_PATH } from '../../../lib/signing-keys.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
}

const doc = JSON.parse(
  readFileSync(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

function documented(): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.has(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}

describe('openapi/openapi.json', () => {
  it('is OpenAPI 3.1 with bearer auth', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents exactly the routes the handlers serve', () => {
    // The management router's routes, and ingest's two publish routes (lib/events-api.ts INGEST_ROUTES).
    const served = [
      ...ROUTE_TABLE.map((r) => `${r.method} ${r.path}`),
      'POST /v1/events',
      'POST /v1/events/batch',
      `GET ${KEY_SET_PATH}`,
    ].sort();
    expect(documented()).toEqual(served);
  });

  it('marks only health, the portal link exchange and the key set as unauthenticated, and documents 401 elsewhere', () => {
    const open = new Set(['get /v1/health', 'post /v1/portal-session', `get ${KEY_SET_PATH}`]);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (open.has(`${method} ${path}`)) {
          expect(op.security).toEqual([]);
        } else {
          expect({ route: `${method} ${path}`, secured: op.security === undefined }).toEqual({
            route: `${method} ${path}`,
            secured: true,
          });
          expect(Object.keys(op.responses)).toContain('401');
        }
      }
    }
  });
});
