// Plays the template's SQS queues, SNS topics and subscriptions in an in-process fauxqs.
import { Server } from 'node:net';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { applyFauxqsFixes } from './fauxqs-fixes.js';
import { type LocalResource, type ResolveContext, resolveString, resolveValue } from './intrinsics.js';
import { type CloudAssembly, generatedName, resourcesOfType } from './template.js';

export interface LocalQueue {
  readonly logicalId: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly visibilityTimeoutSeconds: number;
}

export interface MessagingPlan {
  readonly server: FauxqsServer;
  readonly queues: ReadonlyMap<string, LocalQueue>;
}

const QUEUE_ATTRIBUTES: Readonly<Record<string, string>> = {
  VisibilityTimeout: 'VisibilityTimeout',
  MessageRetentionPeriod: 'MessageRetentionPeriod',
  DelaySeconds: 'DelaySeconds',
  MaximumMessageSize: 'MaximumMessageSize',
  ReceiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
  FifoQueue: 'FifoQueue',
  ContentBasedDeduplication: 'ContentBasedDeduplication',
};

export async function startMessaging(options: {
  port: number;
  region: string;
  dataDir?: string;
}): Promise<FauxqsServer> {
  if (options.dataDir !== undefined) await applyFauxqsFixes();
  return onLoopback(() =>
    startFauxqs({
      port: options.port,
      logger: false,
      defaultRegion: options.region,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    }),
  );
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/**
 * fauxqs 2.4 listens on 0.0.0.0 whatever its options say, which would let anyone on the network put
 * events past the API's authorizer. While `start` runs, a listen on every interface binds loopback.
 */
async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const original = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [first] = args;
    if (typeof first === 'object' && first !== null && 'host' in first) {
      const host = (first as { host?: unknown }).host;
      if (typeof host === 'string' && ANY_ADDRESS.has(host)) args[0] = { ...first, host: '127.0.0.1' };
    }
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof Server.prototype.listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = original;
  }
}

/** SQS visibility timeouts are whole seconds; scaled ones never go below 1 s. */
function scaledSeconds(seconds: number, timeScale: number): number {
  return timeScale === 1 ? seconds : Math.max(1, Math.round(seconds * timeScale));
}

/**
 * Creates every AWS::SQS::Queue (dead-letter queues first, so redrive policies can name their ARN) and
 * registers each in `resources` for intrinsic resolution.
 */
export function createQueues(
  server: FauxqsServer,
  assembly: CloudAssembly,
  ctx: ResolveContext & { resources: Map<string, LocalResource> },
  timeScale: number,
): Map<string, LocalQueue> {
  const pending = new Map(resourcesOfType(assembly, 'AWS::SQS::Queue'));
  const queues = new Map<string, LocalQueue>();
  while (pending.size > 0) {
    let progressed = false;
    for (const [id, res] of pending) {
      const props = res.Properties ?? {};
      let redrive: string | undefined;
      try {
        redrive =
          props.RedrivePolicy === undefined
            ? undefined
            : JSON.stringify(resolveValue(props.RedrivePolicy, ctx));
      } catch {
        continue; // its DLQ is not created yet
      }
      const name =
        props.QueueName === undefined
          ? generatedName(assembly.stackName, id)
          : resolveString(props.QueueName, ctx);
      const attributes: Record<string, string> = {};
      for (const [prop, attr] of Object.entries(QUEUE_ATTRIBUTES)) {
        if (props[prop] !== undefined) attributes[attr] = resolveString(props[prop], ctx);
      }
      const visibility = scaledSeconds(Number(attributes.VisibilityTimeout ?? 30), timeScale);
      attributes.VisibilityTimeout = String(visibility);
      if (redrive !== undefined) attributes.RedrivePolicy = redrive;
      // With a data dir the queue (and its messages) may already be loaded: keep it.
      const existing = server.inspectQueue(name);
      const created = existing
        ? { queueUrl: existing.url, queueArn: existing.arn }
        : server.createQueue(name, { attributes });
      queues.set(id, {
        logicalId: id,
        name,
        url: created.queueUrl,
        arn: created.queueArn,
        visibilityTimeoutSeconds: visibility,
      });
      ctx.resources.set(id, {
        ref: created.queueUrl,
        attrs: { Arn: created.queueArn, QueueName: name, QueueUrl: created.queueUrl },
      });
      pending.delete(id);
      progressed = true;
    }
    if (!progressed)
      throw new Error(`queues with unresolvable redrive policies: ${[...pending.keys()].join(', ')}`);
  }
  return queues;
}

/** Creates the topics and their SQS subscriptions (filter policy, scope, raw delivery). */
export function createTopicsAndSubscriptions(
  server: FauxqsServer,
  assembly: CloudAssembly,
  ctx: ResolveContext & { resources: Map<string, LocalResource> },
  queues: ReadonlyMap<string, LocalQueue>,
): void {
  const topicNames = new Map<string, string>(); // topic ARN → name
  for (const [id, res] of resourcesOfType(assembly, 'AWS::SNS::Topic')) {
    const props = res.Properties ?? {};
    const name =
      props.TopicName === undefined
        ? generatedName(assembly.stackName, id, 256)
        : resolveString(props.TopicName, ctx);
    const { topicArn } = server.createTopic(name);
    topicNames.set(topicArn, name);
    ctx.resources.set(id, { ref: topicArn, attrs: { TopicArn: topicArn, TopicName: name } });
  }
  for (const [, res] of resourcesOfType(assembly, 'AWS::SNS::Subscription')) {
    const props = res.Properties ?? {};
    if (resolveString(props.Protocol, ctx) !== 'sqs') continue;
    const topicName = topicNames.get(resolveString(props.TopicArn, ctx));
    const queueArn = resolveString(props.Endpoint, ctx);
    const queue = [...queues.values()].find((q) => q.arn === queueArn);
    if (topicName === undefined || queue === undefined) continue;
    const attributes: Record<string, string> = {};
    if (props.FilterPolicy !== undefined)
      attributes.FilterPolicy = JSON.stringify(resolveValue(props.FilterPolicy, ctx));
    if (props.FilterPolicyScope !== undefined)
      attributes.FilterPolicyScope = resolveString(props.FilterPolicyScope, ctx);
    if (props.RawMessageDelivery !== undefined)
      attributes.RawMessageDelivery = String(resolveValue(props.RawMessageDelivery, ctx));
    server.subscribe({ topic: topicName, queue: queue.name, attributes });
  }
}
