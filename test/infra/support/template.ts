import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HeraldStack, type HeraldStackProps } from '../../../lib/herald-stack.js';
import { jobs } from '../../../lib/jobs.js';

/**
 * The functions every Herald stack has whatever jobs it declares (logical-id prefixes). The one list
 * of them: a capability that adds a function adds it here; jobs add theirs through lib/jobs.ts.
 */
const PLATFORM_FUNCTIONS = [
  'EventsApiAuthorizer',
  'EventsApiIngest',
  'EventsApiManagement',
  'WebhooksDispatch',
  'WebhooksAttempt',
  'WebhooksRetryLaneConsumer',
  'EndpointRecoveryStep',
  'RetryWatchFunction',
  'PortalAssets',
  'PublicKeySetJwks',
] as const;

/** Work queues (with a redrive policy) every stack has besides the jobs' own: dispatch, retry lane, retry watch. */
const PLATFORM_WORK_QUEUES = [
  'WebhooksDispatchQueue',
  'WebhooksRetryLaneQueue',
  'RetryWatchWorkQueue',
] as const;
/** DLQs every stack has besides the jobs' own: dispatch's, the retry lane's, the retry watch's and the webhook DLQ. */
const PLATFORM_DEAD_LETTER_QUEUES = [
  'WebhooksDispatchQueueDlq',
  'WebhooksRetryLaneDlq',
  'RetryWatchWorkDlq',
  'WebhooksWebhookDlq',
] as const;

/** A job's construct id is `Job-<name>`; CloudFormation logical ids drop the dash. */
const jobPrefix = (name: string): string => `Job${name.replace(/[^A-Za-z0-9]/g, '')}`;

/** Logical-id prefixes of a declared job's function, work queue and DLQ. */
function jobResources(name: string): { fn: string; queue: string; dlq: string } {
  const prefix = jobPrefix(name);
  return { fn: `${prefix}Handler`, queue: `${prefix}WorkQueue`, dlq: `${prefix}WorkDlq` };
}

/** Every function of a stack built with the declared jobs (lib/jobs.ts). */
const ALL_FUNCTIONS: readonly string[] = [...PLATFORM_FUNCTIONS, ...jobs.map((j) => jobResources(j.name).fn)];

/** A resource as it appears in a synthesized template. */
interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface BuildOptions {
  /**
   * Run esbuild for every function. Off by default: property assertions do not need the bundles, and
   * skipping them (context `aws:cdk:bundling-stacks: []`) makes a synth take well under a second.
   * @default false
   */
  readonly bundle?: boolean;
}

/** Synthesizes one Herald stack and returns its template. */
function buildHerald(props: HeraldStackProps = {}, options: BuildOptions = {}): Template {
  const app = new App(options.bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new HeraldStack(app, 'Test', props));
}

/** Every resource of `type`, as [logicalId, properties] pairs. */
function resourcesOf(template: Template, type: string): [string, Record<string, unknown>][] {
  const all = template.toJSON().Resources as Record<string, CfnResource>;
  return Object.entries(all)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

/** The one resource of `type` whose logical id is `prefix` plus CDK's 8-character hash. */
function resourceNamed(template: Template, type: string, prefix: string): Record<string, unknown> {
  const pattern = new RegExp(`^${prefix}[0-9A-F]{8}$`);
  const found = resourcesOf(template, type).filter(([id]) => pattern.test(id));
  if (found.length !== 1) throw new Error(`Expected one ${type} named ${prefix}*, found ${found.length}`);
  return found[0]![1];
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at, or undefined for anything else. */
function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/**
 * Turns an `Fn::Join` of string parts and tokens into one string, each token replaced by a
 * placeholder (tokens in a state machine definition sit inside JSON strings, so the result parses).
 */
function joinWithPlaceholders(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as Record<string, unknown> | null)?.['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) {
    throw new Error(`Not an Fn::Join: ${JSON.stringify(value)}`);
  }
  const [separator, parts] = join as [string, unknown[]];
  return parts
    .map((part) => (typeof part === 'string' ? part : `TOKEN(${referencedId(part) ?? 'intrinsic'})`))
    .join(separator);
}

/** A Lambda function's environment variables. */
function environmentOf(fn: Record<string, unknown>): Record<string, unknown> {
  const environment = fn.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

export type { BuildOptions, CfnResource };
export {
  ALL_FUNCTIONS,
  buildHerald,
  environmentOf,
  jobResources,
  joinWithPlaceholders,
  PLATFORM_DEAD_LETTER_QUEUES,
  PLATFORM_FUNCTIONS,
  PLATFORM_WORK_QUEUES,
  referencedId,
  resourceNamed,
  resourcesOf,
};
