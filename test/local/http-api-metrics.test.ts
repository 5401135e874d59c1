import { describe, expect, it } from 'vitest';
import { authorizerDecision, matchRoute, type RouteSpec } from '../../local/http-api.js';
import { MetricsView, parseEmfLine } from '../../local/metrics.js';

const route = (routeKey: string): RouteSpec => ({ routeKey, functionArn: routeKey });

describe('matchRoute', () => {
  const routes = [
    route('GET /v1/endpoints'),
    route('GET /v1/endpoints/{id}'),
    route('ANY /v1/{proxy+}'),
    route('POST /v1/endpoints/{id}/secret/rotate'),
  ];
  it('prefers literal segments, then parameters, then greedy paths', () => {
    expect(matchRoute(routes, 'GET', '/v1/endpoints')?.route.routeKey).toBe('GET /v1/endpoints');
    expect(matchRoute(routes, 'GET', '/v1/endpoints/ep_1')).toMatchObject({
      route: { routeKey: 'GET /v1/endpoints/{id}' },
      pathParameters: { id: 'ep_1' },
    });
    expect(matchRoute(routes, 'POST', '/v1/endpoints/ep_1/secret/rotate')?.pathParameters).toEqual({
      id: 'ep_1',
    });
    expect(matchRoute(routes, 'DELETE', '/v1/x/y')).toMatchObject({
      route: { routeKey: 'ANY /v1/{proxy+}' },
      pathParameters: { proxy: 'x/y' },
    });
    expect(matchRoute(routes, 'GET', '/v2')).toBeUndefined();
    expect(matchRoute([...routes, route('$default')], 'GET', '/v2')?.route.routeKey).toBe('$default');
  });
});

describe('authorizerDecision', () => {
  it('reads simple and IAM responses', () => {
    expect(authorizerDecision({ isAuthorized: true, context: { role: 'admin' } }, true)).toEqual({
      allowed: true,
      context: { role: 'admin' },
    });
    expect(authorizerDecision({ isAuthorized: 'yes' }, true).allowed).toBe(false);
    expect(authorizerDecision({ policyDocument: { Statement: [{ Effect: 'Allow' }] } }, false).allowed).toBe(
      true,
    );
    expect(
      authorizerDecision({ policyDocument: { Statement: [{ Effect: 'Allow' }, { Effect: 'Deny' }] } }, false)
        .allowed,
    ).toBe(false);
  });
});

describe('EMF metrics view', () => {
  const emf = (values: Record<string, number | number[]>) =>
    JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [
          {
            Namespace: 'Herald',
            Dimensions: [['service']],
            Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })),
          },
        ],
      },
      service: 'herald',
      ...values,
    });

  it('parses EMF lines (arrays of values too) and ignores other lines', () => {
    expect(parseEmfLine(emf({ JobsProcessed: 2, DeliveryLatency: [10, 20] }))).toEqual([
      { name: 'JobsProcessed', value: 2, unit: 'Count' },
      { name: 'DeliveryLatency', value: 10, unit: 'Count' },
      { name: 'DeliveryLatency', value: 20, unit: 'Count' },
    ]);
    expect(parseEmfLine('{"level":"INFO","message":"hi"}')).toEqual([]);
    expect(parseEmfLine('not json "_aws"')).toEqual([]);
  });

  it('keeps totals and per-second rates over the last 10 s, with queue depths', () => {
    const view = new MetricsView({
      queues: () => [
        {
          logicalId: 'Q1',
          name: 'job-a',
          queueName: 'Herald-Q1',
          isDlq: false,
          visible: 3,
          inFlight: 1,
          delayed: 0,
        },
        {
          logicalId: 'D1',
          name: 'job-a-dlq',
          queueName: 'Herald-D1',
          isDlq: true,
          visible: 2,
          inFlight: 0,
          delayed: 0,
        },
      ],
      functions: () => [],
      executions: () => ({}),
    });
    view.record(emf({ WebhookDelivered: 5 }), 1_000);
    view.record(emf({ WebhookDelivered: 5, WebhookRetriesScheduled: 1 }), 9_000);
    const snap = view.snapshot(12_000) as {
      metrics: Record<string, number>;
      perSecond: Record<string, number>;
    };
    expect(snap.metrics).toEqual({ WebhookDelivered: 10, WebhookRetriesScheduled: 1 });
    expect(snap.perSecond.WebhookDelivered).toBeCloseTo(0.5); // the sample at 1 s left the window
    expect(view.line(12_000)).toContain(
      'deliveries 0.5/s retries 1 failed 0 | queues job-a=3+1 | dlq job-a-dlq=2+0',
    );
  });
});
