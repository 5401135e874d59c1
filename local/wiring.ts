// Reads the wiring between resources from the template: state machines, HTTP API routes and
// authorizers, SQS event source mappings; and stands in names for resources the runtime does not play.
import type { LocalEventRule } from './event-rules.js';
import type { EventSourceMappingSpec } from './event-source-poller.js';
import type { AuthorizerSpec, RouteSpec } from './http-api.js';
import { type LocalResource, type ResolveContext, resolveString, resolveValue } from './intrinsics.js';
import { type LocalKey, localKeyId } from './kms.js';
import type { LocalQueue } from './sqs-sns.js';
import type { LocalStateMachine } from './step-functions.js';
import { type CloudAssembly, generatedName, resourcesOfType } from './template.js';

type Ctx = ResolveContext & { resources: Map<string, LocalResource> };

/** Any attribute of a resource the runtime does not play resolves to a recognisable placeholder. */
function placeholderAttrs(id: string, ctx: ResolveContext): Record<string, string> {
  return new Proxy({} as Record<string, string>, {
    get: (_t, attr) =>
      typeof attr === 'string' ? `arn:aws:local:${ctx.region}:${ctx.accountId}:${id}/${attr}` : undefined,
  });
}

const PLAYED = new Set([
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Lambda::Function',
  'AWS::StepFunctions::StateMachine',
  'AWS::ApiGatewayV2::Api',
  'AWS::KMS::Key',
]);

/** Placeholders for every resource the runtime does not play (KMS keys, roles, alarms...), registered first. */
export function registerPlaceholders(assembly: CloudAssembly, ctx: Ctx): void {
  for (const [id, res] of Object.entries(assembly.resources)) {
    if (PLAYED.has(res.Type)) continue;
    const ref = res.Type.startsWith('AWS::ApiGatewayV2::') ? id : generatedName(assembly.stackName, id);
    ctx.resources.set(id, { ref, attrs: placeholderAttrs(id, ctx) });
  }
}

/** Registers the KMS keys (Ref = key id, Arn) the local key service plays. */
export function registerKeys(assembly: CloudAssembly, ctx: Ctx): LocalKey[] {
  return resourcesOfType(assembly, 'AWS::KMS::Key').map(([id]) => {
    const keyId = localKeyId(assembly.stackName, id);
    const arn = `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${keyId}`;
    ctx.resources.set(id, { ref: keyId, attrs: { Arn: arn, KeyId: keyId } });
    return { logicalId: id, keyId, arn };
  });
}

/** Registers the state machines (names, ARNs) and the HTTP API (its local URL). */
export function registerApiAndStateMachines(assembly: CloudAssembly, ctx: Ctx, apiUrl: string): void {
  for (const [id, res] of Object.entries(assembly.resources)) {
    const props = res.Properties ?? {};
    if (res.Type === 'AWS::StepFunctions::StateMachine') {
      const name =
        props.StateMachineName === undefined
          ? generatedName(assembly.stackName, id)
          : resolveString(props.StateMachineName, ctx);
      const arn = `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${name}`;
      ctx.resources.set(id, { ref: arn, attrs: { Arn: arn, Name: name } });
    } else if (res.Type === 'AWS::ApiGatewayV2::Api') {
      ctx.resources.set(id, { ref: 'local', attrs: { ApiEndpoint: apiUrl, ApiId: 'local' } });
    }
  }
}

/** The state machines with their definitions resolved (DefinitionString is usually a Fn::Join). */
export function stateMachines(assembly: CloudAssembly, ctx: Ctx): LocalStateMachine[] {
  return resourcesOfType(assembly, 'AWS::StepFunctions::StateMachine').map(([id, res]) => {
    const props = res.Properties ?? {};
    let text =
      props.DefinitionString !== undefined
        ? resolveString(props.DefinitionString, ctx)
        : JSON.stringify(resolveValue(props.Definition, ctx));
    const substitutions = resolveValue(props.DefinitionSubstitutions ?? {}, ctx) as Record<string, unknown>;
    for (const [key, value] of Object.entries(substitutions))
      text = text.split(`\${${key}}`).join(String(value));
    const local = ctx.resources.get(id);
    return {
      logicalId: id,
      arn: local?.ref ?? '',
      name: local?.attrs.Name ?? id,
      definition: JSON.parse(text) as LocalStateMachine['definition'],
    };
  });
}

/** The function ARN inside an authorizer URI (arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations). */
function functionArnFromUri(uri: string): string {
  return /functions\/(arn:aws:lambda:[^/]+)\/invocations/.exec(uri)?.[1] ?? uri;
}

export function apiRoutes(assembly: CloudAssembly, ctx: Ctx): RouteSpec[] {
  const integrations = new Map<string, string>();
  for (const [id, res] of resourcesOfType(assembly, 'AWS::ApiGatewayV2::Integration')) {
    integrations.set(id, functionArnFromUri(resolveString(res.Properties?.IntegrationUri, ctx)));
  }
  const authorizers = new Map<string, AuthorizerSpec>();
  for (const [id, res] of resourcesOfType(assembly, 'AWS::ApiGatewayV2::Authorizer')) {
    const p = res.Properties ?? {};
    if (p.AuthorizerType !== 'REQUEST') continue;
    authorizers.set(id, {
      functionArn: functionArnFromUri(resolveString(p.AuthorizerUri, ctx)),
      identitySource: (resolveValue(p.IdentitySource ?? [], ctx) as string[]).flatMap((s) =>
        s.split(',').map((x) => x.trim()),
      ),
      simpleResponses: p.EnableSimpleResponses === true,
    });
  }
  const routes: RouteSpec[] = [];
  for (const [, res] of resourcesOfType(assembly, 'AWS::ApiGatewayV2::Route')) {
    const p = res.Properties ?? {};
    const target = resolveString(p.Target, ctx).replace(/^integrations\//, '');
    const functionArn = integrations.get(target);
    if (functionArn === undefined) continue;
    const authorizer =
      p.AuthorizationType === 'CUSTOM' && p.AuthorizerId !== undefined
        ? authorizers.get(resolveString(p.AuthorizerId, ctx))
        : undefined;
    routes.push({
      routeKey: resolveString(p.RouteKey, ctx),
      functionArn,
      ...(authorizer ? { authorizer } : {}),
    });
  }
  return routes;
}

const DEFAULT_POLLERS = 5;

export function eventSourceMappings(
  assembly: CloudAssembly,
  ctx: Ctx,
  queues: ReadonlyMap<string, LocalQueue>,
  timeScale: number,
): EventSourceMappingSpec[] {
  const specs: EventSourceMappingSpec[] = [];
  for (const [, res] of resourcesOfType(assembly, 'AWS::Lambda::EventSourceMapping')) {
    const p = res.Properties ?? {};
    if (p.Enabled === false) continue;
    const arn = resolveString(p.EventSourceArn, ctx);
    const queue = [...queues.values()].find((q) => q.arn === arn);
    if (queue === undefined) continue;
    const maxConcurrency = (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)
      ?.MaximumConcurrency;
    specs.push({
      queueUrl: queue.url,
      queueArn: queue.arn,
      functionName: resolveString(p.FunctionName, ctx),
      batchSize: typeof p.BatchSize === 'number' ? p.BatchSize : 10,
      batchingWindowSeconds:
        typeof p.MaximumBatchingWindowInSeconds === 'number' ? p.MaximumBatchingWindowInSeconds : 0,
      // The mapping's MaximumConcurrency as on AWS, else Lambda's 5 initial pollers; startHerald caps it
      // by the function's local pool size (more pollers would only queue on the pool).
      maxConcurrency: Math.max(1, maxConcurrency ?? DEFAULT_POLLERS),
      reportBatchItemFailures:
        Array.isArray(p.FunctionResponseTypes) && p.FunctionResponseTypes.includes('ReportBatchItemFailures'),
      region: ctx.region,
      ...(timeScale === 1 ? {} : { heartbeatVisibilitySeconds: queue.visibilityTimeoutSeconds }),
    });
  }
  return specs;
}

/**
 * The template's EventBridge rules with their SQS and Lambda targets resolved to local queue URLs and
 * function ARNs. Targets the runtime cannot play as written (Input, InputPath, InputTransformer, other
 * services) are listed in `unplayed` rather than delivered differently.
 */
export function eventRules(
  assembly: CloudAssembly,
  ctx: Ctx,
  queues: ReadonlyMap<string, LocalQueue>,
): { rules: LocalEventRule[]; unplayed: string[] } {
  const rules: LocalEventRule[] = [];
  const unplayed: string[] = [];
  for (const [id, res] of resourcesOfType(assembly, 'AWS::Events::Rule')) {
    const p = res.Properties ?? {};
    if (p.State === 'DISABLED' || p.EventPattern === undefined) continue;
    const targets: LocalEventRule['targets'][number][] = [];
    for (const t of (p.Targets ?? []) as Array<Record<string, unknown>>) {
      const arn = resolveString(t.Arn, ctx);
      const queue = [...queues.values()].find((q) => q.arn === arn);
      if (t.Input !== undefined || t.InputPath !== undefined || t.InputTransformer !== undefined)
        unplayed.push(`${id} → ${arn} (input shaping)`);
      else if (queue !== undefined) targets.push({ kind: 'sqs', queueUrl: queue.url });
      else if (arn.startsWith('arn:aws:lambda:')) targets.push({ kind: 'lambda', functionArn: arn });
      else unplayed.push(`${id} → ${arn}`);
    }
    rules.push({ logicalId: id, pattern: resolveValue(p.EventPattern, ctx), targets });
  }
  return { rules, unplayed };
}
