import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  type CfnApi,
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_LIMITS, type Limits } from '../lambdas/shared/limits.js';
import { grantQueues, grantTableAccess } from './access.js';
import { HeraldFunction, PER_EVENT_MEMORY_MB } from './herald-function.js';
import { suppressNag } from './nag.js';
import { KEY_SET_PATH } from './signing-keys.js';
import type { SecretsKey } from './signing-secrets-key.js';
import { listIndexOf } from './tables.js';

/** The publish routes: served by the ingest function, which verifies the caller's key itself. */
const INGEST_ROUTES: readonly string[] = ['/v1/events', '/v1/events/batch'];

const openApiPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../openapi/openapi.json');

/** (method, path) of every operation in the OpenAPI document — the one list of routes. */
function apiOperations(): { method: HttpMethod; path: string }[] {
  const document = JSON.parse(readFileSync(openApiPath, 'utf8')) as { paths: Record<string, object> };
  return Object.entries(document.paths).flatMap(([route, item]) =>
    Object.keys(item)
      .filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))
      .map((key) => ({ method: key.toUpperCase() as HttpMethod, path: route })),
  );
}

/** API access log line (JSON). `$context.authorizer.*` is the authorizer's context: key id, never the key. */
const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  authenticated: '$context.authorizer.authenticated',
  keyId: '$context.authorizer.keyId',
  role: '$context.authorizer.role',
  tenantId: '$context.authorizer.tenantId',
  error: '$context.error.message',
} as const;

interface EventsApiProps {
  readonly mainTable: Table;
  readonly idempotencyTable: Table;
  /** Seals endpoint signing secrets (create, rotate) and opens them (reads). */
  readonly secretsKey: SecretsKey;
  readonly eventsTopic: Topic;
  readonly dispatchQueue: IQueue;
  readonly webhookDlq: IQueue;
  /** Work queues and DLQs the DLQ routes may inspect and redrive, as HERALD_QUEUES JSON. */
  readonly queuesJson: string;
  /** The DLQs the DLQ routes peek and redrive from (receive, delete, change visibility, depth). */
  readonly deadLetterQueues: readonly IQueue[];
  /** The queues redrive and replay send into (the work queues; the webhook DLQ redrives to dispatch). */
  readonly redriveTargets: readonly IQueue[];
  readonly allowLoopbackWebhooks: boolean;
  /** Ingest refuses types that are not in the catalog. @default false */
  readonly strictEventTypes?: boolean;
  /** Limits against amplification the management function enforces. @default DEFAULT_LIMITS (limits.ts) */
  readonly limits?: Partial<
    Pick<Limits, 'endpointsPerTenant' | 'replayCallsPerMinute' | 'callerDeliveriesPerMinute'>
  >;
  /**
   * The public URL the portal is served at (a custom domain), where portal links point. @default the
   * API's own endpoint + `/portal/` (context `herald:publicUrl`)
   */
  readonly publicUrl?: string;
  /** The longest portal link and session, in seconds (≤ 604800). @default 86400 (context `herald:portalMaxSessionSeconds`) */
  readonly portalMaxSessionSeconds?: number;
  /** Steady-state requests per second across the API. @default 1000 */
  readonly throttleRateLimit?: number;
  /** @default 2000 */
  readonly throttleBurstLimit?: number;
}

/**
 * The HTTP API: every route of the OpenAPI document, the ingest function for the publish routes
 * (which verifies keys itself), a Lambda authorizer on every other route but health, and the
 * management function for the rest.
 */
class EventsApi extends Construct {
  readonly api: HttpApi;
  readonly authorizerFunction: HeraldFunction;
  readonly ingestFunction: HeraldFunction;
  readonly managementFunction: HeraldFunction;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: EventsApiProps) {
    super(scope, id);
    const table = { HERALD_TABLE: props.mainTable.tableName };

    this.authorizerFunction = new HeraldFunction(this, 'Authorizer', {
      entry: 'lambdas/api/authorizer.handler.ts',
      timeout: Duration.seconds(5),
      memorySize: PER_EVENT_MEMORY_MB,
      environment: table,
    });
    // It reads API-key and portal-session items and nothing else: not endpoints, not events.
    grantTableAccess(this.authorizerFunction, props.mainTable, {
      actions: ['GetItem'],
      leadingKeys: ['APIKEY#*', 'PORTAL#*'],
    });

    this.ingestFunction = new HeraldFunction(this, 'Ingest', {
      entry: 'lambdas/api/ingest.handler.ts',
      timeout: Duration.seconds(10),
      memorySize: PER_EVENT_MEMORY_MB,
      environment: {
        ...table,
        HERALD_IDEMPOTENCY_TABLE: props.idempotencyTable.tableName,
        HERALD_EVENTS_TOPIC_ARN: props.eventsTopic.topicArn,
        // The catalog lives in the main table (ETYPE# items, docs/internals.md); built-ins are bundled.
        HERALD_STRICT_EVENT_TYPES: String(props.strictEventTypes ?? false),
      },
    });
    // Its one write: the tombstone of a publish that failed in an unknown way (store/events.ts).
    grantTableAccess(this.ingestFunction, props.mainTable, { actions: ['PutItem'], leadingKeys: ['EVT#*'] });
    // The catalog entry of a registered type, on a cache miss (lambdas/shared/catalog/catalog.ts).
    grantTableAccess(this.ingestFunction, props.mainTable, {
      actions: ['GetItem'],
      leadingKeys: ['ETYPE#*'],
    });
    // The publish routes have no authorizer: ingest verifies the key itself (lambdas/api/authenticate.ts,
    // ADR 0005 amended), reading API-key and portal-session items as the authorizer does.
    grantTableAccess(this.ingestFunction, props.mainTable, {
      actions: ['GetItem'],
      leadingKeys: ['APIKEY#*', 'PORTAL#*'],
    });
    // Powertools idempotency: conditional put, read on conflict, save the result, delete on failure.
    grantTableAccess(this.ingestFunction, props.idempotencyTable, {
      actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    });
    props.eventsTopic.grantPublish(this.ingestFunction);

    this.managementFunction = new HeraldFunction(this, 'Management', {
      entry: 'lambdas/api/management.handler.ts',
      timeout: Duration.seconds(29),
      environment: {
        ...table,
        HERALD_LIST_INDEX: listIndexOf(props.mainTable),
        ...props.secretsKey.environment,
        HERALD_DISPATCH_QUEUE_URL: props.dispatchQueue.queueUrl,
        HERALD_WEBHOOK_DLQ_URL: props.webhookDlq.queueUrl,
        HERALD_QUEUES: props.queuesJson,
        HERALD_ALLOW_LOOPBACK_WEBHOOKS: String(props.allowLoopbackWebhooks),
        HERALD_MAX_ENDPOINTS_PER_TENANT: String(
          props.limits?.endpointsPerTenant ?? DEFAULT_LIMITS.endpointsPerTenant,
        ),
        HERALD_MAX_REPLAY_CALLS_PER_MINUTE: String(
          props.limits?.replayCallsPerMinute ?? DEFAULT_LIMITS.replayCallsPerMinute,
        ),
        HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE: String(
          props.limits?.callerDeliveriesPerMinute ?? DEFAULT_LIMITS.callerDeliveriesPerMinute,
        ),
      },
    });
    grantTableAccess(this.managementFunction, props.mainTable, {
      actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
      queryIndexes: [listIndexOf(props.mainTable)],
    });
    props.secretsKey.grantSealAndOpen(this.managementFunction);
    grantQueues(this.managementFunction, 'consume', props.deadLetterQueues);
    grantQueues(this.managementFunction, 'send', props.redriveTargets);

    // Never denies (docs/internals.md "Auth in the HTTP API"): HTTP APIs cannot shape gateway
    // responses, so the handlers answer 401/403 as problem documents. No identity source and no cache,
    // so it runs on every request and a revoked key stops working at once.
    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    this.api = new HttpApi(this, 'Api', {
      description: 'Herald events, endpoints, deliveries and DLQ API',
      createDefaultStage: true,
    });
    // Portal links point at the deployment's own URL, never at a request's Host header.
    const apiResource = this.api.node.defaultChild as CfnApi;
    this.managementFunction.addEnvironment(
      'HERALD_PORTAL_URL',
      props.publicUrl !== undefined
        ? `${props.publicUrl.replace(/\/+$/, '')}/portal/`
        : `${apiResource.attrApiEndpoint}/portal/`,
    );
    if (props.portalMaxSessionSeconds !== undefined) {
      this.managementFunction.addEnvironment(
        'HERALD_PORTAL_MAX_SESSION_SECONDS',
        String(props.portalMaxSessionSeconds),
      );
    }
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage | undefined;
    stage?.addPropertyOverride('DefaultRouteSettings', {
      ThrottlingRateLimit: props.throttleRateLimit ?? 1000,
      ThrottlingBurstLimit: props.throttleBurstLimit ?? 2000,
    });
    // Access logs, one JSON line per request: who (the key id and role the authorizer resolved, never
    // the key or any header), what, and how it went. The path carries ids only; bodies are never logged.
    // Kept when the stack is deleted: they are the record of who called what.
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (stage !== undefined) {
      stage.accessLogSettings = {
        destinationArn: this.accessLogs.logGroupArn,
        format: JSON.stringify(ACCESS_LOG_FORMAT),
      };
    }

    const ingest = new HttpLambdaIntegration('IngestIntegration', this.ingestFunction);
    const management = new HttpLambdaIntegration('ManagementIntegration', this.managementFunction);
    for (const { method, path: route } of apiOperations()) {
      // The key set has a function of its own, with no authorizer and no KMS grant (lib/signing-keys.ts).
      if (route === KEY_SET_PATH) continue;
      const isIngest = method === HttpMethod.POST && INGEST_ROUTES.includes(route);
      const isHealth = route === '/v1/health';
      this.api.addRoutes({
        path: route,
        methods: [method],
        integration: isIngest ? ingest : management,
        // Ingest authenticates itself (one invocation per publish instead of two); health is public.
        authorizer: isHealth || isIngest ? new HttpNoneAuthorizer() : authorizer,
      });
    }
    for (const child of this.api.node.children) {
      if (!INGEST_ROUTES.some((route) => child.node.id === `POST${route.replaceAll('/', '--')}`)) continue;
      suppressNag(child, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'The publish routes verify the API key in the ingest function itself (lambdas/api/authenticate.ts, ' +
            'the code the authorizer runs; ADR 0005): no request is served without a valid key',
        },
      ]);
    }
    const healthRoute = this.api.node.children.find((c) => c.node.id.includes('--v1--health'));
    if (healthRoute !== undefined) {
      suppressNag(healthRoute, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'GET /v1/health is the unauthenticated liveness check (docs/api.md); it reads and returns no data',
        },
      ]);
    }

    new CfnOutput(scope, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Herald HTTP API base URL' });
  }
}

export type { EventsApiProps };
export { ACCESS_LOG_FORMAT, EventsApi };
