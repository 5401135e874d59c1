import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../lib/jobs.js';
import {
  ALL_FUNCTIONS,
  buildHerald,
  environmentOf,
  jobResources,
  PLATFORM_FUNCTIONS,
  resourceNamed,
  resourcesOf,
} from './support/template.js';

const ALL = ['HERALD_TABLE', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'];
const DELIVERY = ['HERALD_ALLOW_LOOPBACK_WEBHOOKS', 'HERALD_RETRY_TIME_SCALE', 'HERALD_WEBHOOK_TIMEOUT_MS'];

/**
 * Environment each function must carry, from the table in docs/internals.md. Logical-id prefix →
 * variable names. (internals.md also lists HERALD_DISPATCH_QUEUE_URL for dispatch, which never reads
 * it: only management's replay and redrive routes send to the dispatch queue.)
 */
const expectedEnvironment: Record<string, string[]> = {
  EventsApiAuthorizer: [...ALL],
  EventsApiIngest: [...ALL, 'HERALD_IDEMPOTENCY_TABLE', 'HERALD_EVENTS_TOPIC_ARN'],
  EventsApiManagement: [
    ...ALL,
    'HERALD_DISPATCH_QUEUE_URL',
    'HERALD_WEBHOOK_DLQ_URL',
    'HERALD_QUEUES',
    'HERALD_ALLOW_LOOPBACK_WEBHOOKS',
    'HERALD_SECRETS_KEY_ID',
    'HERALD_MAX_ENDPOINTS_PER_TENANT',
    'HERALD_MAX_REPLAY_CALLS_PER_MINUTE',
    'HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE',
    // Portal links point at the deployment's URL (issue 20, finding 1).
    'HERALD_PORTAL_URL',
  ],
  WebhooksDispatch: [
    ...ALL,
    ...DELIVERY,
    'HERALD_RETRY_STATE_MACHINE_ARN',
    'HERALD_WEBHOOK_DLQ_URL',
    'HERALD_SECRETS_KEY_ID',
  ],
  WebhooksAttempt: [...ALL, ...DELIVERY, 'HERALD_SECRETS_KEY_ID'],
  // Static files only: no table, nothing to configure.
  PortalAssets: ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'],
  // The v1a key set: the table and its list index, no secrets key.
  PublicKeySetJwks: [...ALL, 'HERALD_LIST_INDEX'],
  // Every declared job (lib/jobs.ts), the same for each.
  ...Object.fromEntries(
    jobs.map((job) => [
      jobResources(job.name).fn,
      [
        ...ALL,
        'HERALD_JOB_NAME',
        'HERALD_IDEMPOTENCY_TABLE',
        'HERALD_EVENTS_TOPIC_ARN',
        'HERALD_JOB_DLQ_URL',
        'HERALD_JOB_MAX_RECEIVE_COUNT',
      ],
    ]),
  ),
  RetryWatchFunction: [...ALL, 'HERALD_WEBHOOK_DLQ_URL'],
};

/** Names and literal values that would mean a credential was baked into the template. */
const SECRET_NAME = /secret|passw|token|credential|private|api_?key|access_?key/i;
const SECRET_VALUE = /hrld_[0-9a-z]{16}_|whsec_|AKIA[0-9A-Z]{16}|-----BEGIN/;

describe('Lambda functions', () => {
  let template: Template;
  let functions: [string, Record<string, unknown>][];

  beforeAll(() => {
    template = buildHerald();
    functions = resourcesOf(template, 'AWS::Lambda::Function');
  });

  const fn = (prefix: string): Record<string, unknown> =>
    resourceNamed(template, 'AWS::Lambda::Function', prefix);

  it('are the platform functions and one per declared job, nothing else (no custom-resource helpers)', () => {
    expect(functions).toHaveLength(PLATFORM_FUNCTIONS.length + jobs.length);
    for (const prefix of ALL_FUNCTIONS) expect(fn(prefix)).toBeDefined();
  });

  it('run Node.js 24 on arm64 with JSON logs to their own log group', () => {
    for (const [id, props] of functions) {
      expect(props.Runtime, id).toBe('nodejs24.x');
      expect(props.Architectures, id).toEqual(['arm64']);
      expect(props.Handler, id).toBe('index.handler');
      expect(props.LoggingConfig, id).toMatchObject({ LogFormat: 'JSON' });
      // Tracing is off unless asked for: X-Ray costs per trace.
      expect(props.TracingConfig, id).toBeUndefined();
    }
    const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');
    for (const [, group] of logGroups) expect(group.RetentionInDays).toBe(30);
  });

  it('carry the environment docs/internals.md lists for each', () => {
    for (const [prefix, names] of Object.entries(expectedEnvironment)) {
      const env = environmentOf(fn(prefix));
      for (const name of names) expect(env[name], `${prefix} ${name}`).toBeDefined();
      expect(env.POWERTOOLS_SERVICE_NAME, prefix).toBe('herald');
      expect(env.POWERTOOLS_METRICS_NAMESPACE, prefix).toBe('Herald');
    }
  });

  it('point the variables at the right resources', () => {
    const dispatch = environmentOf(fn('WebhooksDispatch'));
    expect(dispatch.HERALD_RETRY_STATE_MACHINE_ARN).toEqual({
      Ref: expect.stringMatching(/^WebhooksRetryWorkflow[0-9A-F]{8}$/),
    });
    expect(dispatch.HERALD_WEBHOOK_DLQ_URL).toEqual({
      Ref: expect.stringMatching(/^WebhooksWebhookDlq[0-9A-F]{8}$/),
    });
    expect(dispatch.HERALD_TABLE).toEqual({ Ref: expect.stringMatching(/^TablesMain[0-9A-F]{8}$/) });
    const ingest = environmentOf(fn('EventsApiIngest'));
    expect(ingest.HERALD_IDEMPOTENCY_TABLE).toEqual({
      Ref: expect.stringMatching(/^TablesIdempotency[0-9A-F]{8}$/),
    });
    expect(ingest.HERALD_EVENTS_TOPIC_ARN).toEqual({
      Ref: expect.stringMatching(/^EventsTopic[0-9A-F]{8}$/),
    });
    for (const job of jobs) {
      const { fn: handler, dlq } = jobResources(job.name);
      expect(environmentOf(fn(handler)).HERALD_JOB_NAME).toBe(job.name);
      expect(environmentOf(fn(handler)).HERALD_JOB_DLQ_URL).toEqual({
        Ref: expect.stringMatching(new RegExp(`^${dlq}[0-9A-F]{8}$`)),
      });
      // The same count as the queue's redrive policy: on that receive the runner dead-letters itself.
      expect(environmentOf(fn(handler)).HERALD_JOB_MAX_RECEIVE_COUNT).toBe(String(job.maxReceiveCount ?? 5));
    }
    expect(environmentOf(fn('WebhooksAttempt')).HERALD_WEBHOOK_TIMEOUT_MS).toBe('15000');
  });

  it('give management HERALD_QUEUES naming every work queue and its DLQ', () => {
    const queues = JSON.stringify(environmentOf(fn('EventsApiManagement')).HERALD_QUEUES);
    for (const name of ['dispatch', ...jobs.map((j) => `job-${j.name}`)]) {
      expect(queues).toContain(`\\"name\\":\\"${name}\\"`);
      expect(queues).toContain(`\\"dlqName\\":\\"${name}-dlq\\"`);
    }
    const jobQueues = jobs.flatMap((j) => [jobResources(j.name).queue, jobResources(j.name).dlq]);
    for (const queue of ['WebhooksDispatchQueue', 'WebhooksDispatchQueueDlq', ...jobQueues]) {
      expect(queues).toMatch(new RegExp(`${queue}[0-9A-F]{8}`));
    }
  });

  it('hold no secret in their environment', () => {
    for (const [id, props] of functions) {
      for (const [name, value] of Object.entries(environmentOf(props))) {
        // The one allowed name: it carries the ARN of the KMS key that wraps secrets, not a secret.
        if (name === 'HERALD_SECRETS_KEY_ID') {
          expect(value, id).toEqual({
            'Fn::GetAtt': [expect.stringMatching(/^SecretsKey[0-9A-F]{8}$/), 'Arn'],
          });
          continue;
        }
        expect(name, id).not.toMatch(SECRET_NAME);
        expect(JSON.stringify(value), `${id} ${name}`).not.toMatch(SECRET_VALUE);
      }
    }
  });

  it('have timeouts that fit their callers', () => {
    // API Gateway HTTP APIs give an integration at most 30 s.
    for (const prefix of ['EventsApiAuthorizer', 'EventsApiIngest', 'EventsApiManagement']) {
      expect(fn(prefix).Timeout as number, prefix).toBeLessThanOrEqual(30);
    }
    // The attempt function must outlive its own HTTP timeout to record the attempt.
    expect(fn('WebhooksAttempt').Timeout as number).toBeGreaterThan(15);
  });

  it('deny loopback webhooks and use real retry waits by default', () => {
    for (const prefix of ['EventsApiManagement', 'WebhooksDispatch', 'WebhooksAttempt']) {
      expect(environmentOf(fn(prefix)).HERALD_ALLOW_LOOPBACK_WEBHOOKS, prefix).toBe('false');
    }
    for (const prefix of ['WebhooksDispatch', 'WebhooksAttempt']) {
      expect(environmentOf(fn(prefix)).HERALD_RETRY_TIME_SCALE, prefix).toBe('1');
    }
  });
});

describe('Lambda functions of a local-runtime stack', () => {
  let template: Template;
  beforeAll(() => {
    template = buildHerald({ allowLoopbackWebhooks: true, retryTimeScale: 0.001 });
  });

  it('allow loopback webhooks everywhere a URL is checked', () => {
    for (const prefix of ['EventsApiManagement', 'WebhooksDispatch', 'WebhooksAttempt']) {
      const env = environmentOf(resourceNamed(template, 'AWS::Lambda::Function', prefix));
      expect(env.HERALD_ALLOW_LOOPBACK_WEBHOOKS, prefix).toBe('true');
    }
  });

  it('scale retry waits', () => {
    for (const prefix of ['WebhooksDispatch', 'WebhooksAttempt']) {
      const env = environmentOf(resourceNamed(template, 'AWS::Lambda::Function', prefix));
      expect(env.HERALD_RETRY_TIME_SCALE, prefix).toBe('0.001');
    }
  });
});
