/**
 * Reads what the cost model needs from a synthesized CloudFormation template: each Herald function's
 * role, memory and architecture, and how many job subscriptions and state machines there are.
 */

type FunctionRole = 'authorizer' | 'ingest' | 'management' | 'job' | 'dispatch' | 'attempt' | 'other';

interface FunctionFacts {
  readonly logicalId: string;
  readonly role: FunctionRole;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  readonly jobName?: string;
}

interface TemplateFacts {
  readonly functions: readonly FunctionFacts[];
  readonly stateMachines: number;
  readonly snsSubscriptions: number;
  readonly queues: number;
  /** Fixed monthly costs (bench/cost/monthly.ts): customer managed KMS keys. */
  readonly kmsKeys: number;
  /** Metrics read by all alarms together (a metric-math alarm bills each one). */
  readonly alarmMetrics: number;
  readonly dashboards: number;
  /** Lambda event source mappings: queues Lambda polls even when idle. */
  readonly eventSourceMappings: number;
  /** Tables plus their global secondary indexes: what provisioned capacity is set on. */
  readonly capacityHolders: number;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
}

const LAMBDA_DEFAULT_MEMORY_MB = 128; // CloudFormation's default when MemorySize is absent

// Logical ids carry the construct path (e.g. EventsApiIngestFunctionAB12CD34), so a role is a name match.
const ROLE_PATTERNS: readonly [FunctionRole, RegExp][] = [
  ['authorizer', /authori[sz]er/i],
  ['ingest', /ingest/i],
  ['management', /management/i],
  ['dispatch', /dispatch/i],
  ['attempt', /attempt/i],
];

function environmentOf(props: Record<string, unknown>): Record<string, unknown> {
  const env = props.Environment as { Variables?: Record<string, unknown> } | undefined;
  return env?.Variables ?? {};
}

/** A Herald function reads HERALD_TABLE or POWERTOOLS_SERVICE_NAME; CDK's helper functions do neither. */
function isHeraldFunction(props: Record<string, unknown>): boolean {
  const env = environmentOf(props);
  return 'HERALD_TABLE' in env || 'HERALD_JOB_NAME' in env || env.POWERTOOLS_SERVICE_NAME === 'herald';
}

function roleOf(logicalId: string, env: Record<string, unknown>): FunctionRole {
  if (typeof env.HERALD_JOB_NAME === 'string') return 'job';
  return ROLE_PATTERNS.find(([, pattern]) => pattern.test(logicalId))?.[0] ?? 'other';
}

function readTemplateFacts(template: CfnTemplate): TemplateFacts {
  const resources = Object.entries(template.Resources ?? {});
  const functions: FunctionFacts[] = [];
  for (const [logicalId, resource] of resources) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    if (!isHeraldFunction(props)) continue;
    const env = environmentOf(props);
    const architectures = props.Architectures as string[] | undefined;
    functions.push({
      logicalId,
      role: roleOf(logicalId, env),
      memoryMb: typeof props.MemorySize === 'number' ? props.MemorySize : LAMBDA_DEFAULT_MEMORY_MB,
      architecture: architectures?.includes('arm64') ? 'arm64' : 'x86_64',
      ...(typeof env.HERALD_JOB_NAME === 'string' && { jobName: env.HERALD_JOB_NAME }),
    });
  }
  const count = (type: string): number => resources.filter(([, r]) => r.Type === type).length;
  const ofType = (type: string) =>
    resources.filter(([, r]) => r.Type === type).map(([, r]) => r.Properties ?? {});
  const alarmMetrics = ofType('AWS::CloudWatch::Alarm').reduce((sum, alarm) => {
    const metrics = alarm.Metrics as { MetricStat?: unknown }[] | undefined;
    return sum + (metrics === undefined ? 1 : metrics.filter((m) => m.MetricStat !== undefined).length);
  }, 0);
  const capacityHolders = ofType('AWS::DynamoDB::Table').reduce(
    (sum, table) => sum + 1 + ((table.GlobalSecondaryIndexes as unknown[] | undefined)?.length ?? 0),
    0,
  );
  return {
    functions,
    stateMachines: count('AWS::StepFunctions::StateMachine'),
    snsSubscriptions: count('AWS::SNS::Subscription'),
    queues: count('AWS::SQS::Queue'),
    kmsKeys: count('AWS::KMS::Key'),
    alarmMetrics,
    dashboards: count('AWS::CloudWatch::Dashboard'),
    eventSourceMappings: count('AWS::Lambda::EventSourceMapping'),
    capacityHolders,
  };
}

/** Memory and architecture of the function with a role; the fallback (`fromTemplate: false`) when absent. */
function memoryOf(
  facts: TemplateFacts,
  role: FunctionRole,
  fallbackMb: number,
): { memoryMb: number; architecture: 'arm64' | 'x86_64'; fromTemplate: boolean } {
  const fn = facts.functions.find((f) => f.role === role);
  return fn
    ? { memoryMb: fn.memoryMb, architecture: fn.architecture, fromTemplate: true }
    : { memoryMb: fallbackMb, architecture: 'arm64', fromTemplate: false };
}

export type { CfnTemplate, FunctionFacts, FunctionRole, TemplateFacts };
export { memoryOf, readTemplateFacts };
