import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHerald, referencedId, resourceNamed, resourcesOf } from './support/template.js';

const HEALTH = 'GET /v1/health';
/** Served by ingest, which verifies keys itself. */
const PUBLISH: readonly string[] = ['POST /v1/events', 'POST /v1/events/batch'];
/** The tenant's v1a key set (lib/signing-keys.ts): public, served by its own function. */
const KEY_SET = 'GET /v1/tenants/{tenantId}/jwks.json';
/** The consumer portal's static files (lib/portal.ts): not API operations, so not in the OpenAPI document. */
const PORTAL = ['GET /portal', 'GET /portal/{proxy+}'];

/** Route keys of the OpenAPI document, read here independently of lib/events-api.ts. */
function openApiRouteKeys(): string[] {
  const document = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const methods = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => methods.has(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Every route ../shared/API.md names, written out here so the OpenAPI document cannot drop one unseen. */
const API_MD_ROUTES = [
  'GET /v1/health',
  'POST /v1/keys',
  'GET /v1/keys',
  'DELETE /v1/keys/{id}',
  'POST /v1/events',
  'GET /v1/events/{id}',
  'GET /v1/events/{id}/deliveries',
  'POST /v1/events/{id}/replay',
  'POST /v1/replay',
  'POST /v1/endpoints',
  'GET /v1/endpoints',
  'GET /v1/endpoints/{id}',
  'PATCH /v1/endpoints/{id}',
  'DELETE /v1/endpoints/{id}',
  'POST /v1/endpoints/{id}/rotate-secret',
  'GET /v1/dlq',
  'GET /v1/dlq/{name}/messages',
  'POST /v1/dlq/{name}/redrive',
  KEY_SET,
];

describe('HTTP API', () => {
  let template: Template;
  let routes: [string, Record<string, unknown>][];
  let portalRoutes: [string, Record<string, unknown>][];
  let authorizerId: string;

  beforeAll(() => {
    template = buildHerald();
    const all = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    portalRoutes = all.filter(([, r]) => PORTAL.includes(r.RouteKey as string));
    routes = all.filter(([, r]) => !PORTAL.includes(r.RouteKey as string));
    const authorizers = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    authorizerId = authorizers[0]![0];
  });

  const routeKeys = (): string[] => routes.map(([, r]) => r.RouteKey as string);
  const integrationFunction = (route: Record<string, unknown>): string => {
    const target = (route.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const integrationId = target.map(referencedId).find((id) => id !== undefined);
    const integration = resourcesOf(template, 'AWS::ApiGatewayV2::Integration').find(
      ([id]) => id === integrationId,
    );
    return referencedId(integration?.[1].IntegrationUri) ?? '';
  };

  it('has exactly one route per OpenAPI operation', () => {
    const expected = openApiRouteKeys();
    expect(expected).toContain(HEALTH);
    expect(expected.length).toBeGreaterThan(10);
    expect([...routeKeys()].sort()).toEqual([...expected].sort());
  });

  it('serves every route of API.md', () => {
    const keys = new Set(routeKeys());
    for (const route of API_MD_ROUTES) expect(keys.has(route), route).toBe(true);
  });

  it('puts the API key authorizer on every route but health, the publish routes and the key set', () => {
    for (const [id, route] of routes) {
      if (
        route.RouteKey === HEALTH ||
        route.RouteKey === KEY_SET ||
        PUBLISH.includes(route.RouteKey as string)
      )
        continue;
      expect(route.AuthorizationType, id).toBe('CUSTOM');
      expect(route.AuthorizerId, id).toEqual({ Ref: authorizerId });
    }
  });

  it('runs no authorizer on the publish routes: ingest verifies the key itself (ADR 0005, amended)', () => {
    const publish = routes.filter(([, r]) => PUBLISH.includes(r.RouteKey as string));
    expect(publish.map(([, r]) => r.RouteKey).sort()).toEqual([...PUBLISH].sort());
    for (const [id, route] of publish) {
      expect(route.AuthorizationType, id).toBe('NONE');
      expect(route.AuthorizerId, id).toBeUndefined();
    }
  });

  it('serves the portal at /portal from its own function, with no authorizer', () => {
    expect(portalRoutes.map(([, r]) => r.RouteKey).sort()).toEqual([...PORTAL].sort());
    for (const [id, route] of portalRoutes) {
      expect(route.AuthorizationType, id).toBe('NONE');
      expect(integrationFunction(route), id).toMatch(/^PortalAssets/);
    }
  });

  it('leaves health open', () => {
    const health = routes.find(([, r]) => r.RouteKey === HEALTH)![1];
    expect(health.AuthorizationType).toBe('NONE');
    expect(health.AuthorizerId).toBeUndefined();
  });

  it('sends the publish routes to ingest, the key set to its own function and every other route to management', () => {
    for (const [id, route] of routes) {
      const fn = integrationFunction(route);
      const expected = PUBLISH.includes(route.RouteKey as string)
        ? /^EventsApiIngest/
        : route.RouteKey === KEY_SET
          ? /^PublicKeySetJwks/
          : /^EventsApiManagement/;
      expect(fn, id).toMatch(expected);
    }
  });

  it('serves the key set without an authorizer', () => {
    const keySet = routes.find(([, r]) => r.RouteKey === KEY_SET)![1];
    expect(keySet.AuthorizationType).toBe('NONE');
    expect(keySet.AuthorizerId).toBeUndefined();
  });

  it('runs the authorizer on every request: no identity source, no cache, simple responses', () => {
    const authorizer = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer')[0]![1];
    expect(authorizer).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 0,
      EnableSimpleResponses: true,
    });
    expect(authorizer.IdentitySource ?? []).toEqual([]);
    const uri = JSON.stringify(authorizer.AuthorizerUri);
    expect(uri).toMatch(/EventsApiAuthorizer[0-9A-F]{8}/);
  });

  it('lets API Gateway invoke the authorizer function', () => {
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(([, p]) =>
      /^EventsApiAuthorizer/.test(referencedId(p.FunctionName) ?? ''),
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1]).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    });
  });

  it('throttles the default stage', () => {
    const stage = resourcesOf(template, 'AWS::ApiGatewayV2::Stage');
    expect(stage).toHaveLength(1);
    expect(stage[0]![1]).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
    });
  });

  it('exports the API URL', () => {
    expect(Object.keys(template.findOutputs('ApiUrl'))).toHaveLength(1);
    expect(resourceNamed(template, 'AWS::ApiGatewayV2::Api', 'EventsApi')).toMatchObject({
      ProtocolType: 'HTTP',
    });
  });
});
