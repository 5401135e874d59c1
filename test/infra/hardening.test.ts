// The template's security defaults (issue 20, finding 8): encrypted topics, key policies that do not
// hand key use to the whole account, leading-key limits on writes, throttling, alarms, retained logs.
import { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeraldStack } from '../../lib/herald-stack.js';
import { grantsOfRole, roleOfFunction } from './support/iam.js';
import {
  ALL_FUNCTIONS,
  buildHerald,
  environmentOf,
  referencedId,
  resourceNamed,
  resourcesOf,
} from './support/template.js';

interface KeyStatement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Principal: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const USE_ACTIONS = /^kms:(\*|Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant)$/;
const actionsOf = (s: KeyStatement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const isAccountRoot = (principal: unknown): boolean => JSON.stringify(principal).includes(':root');

describe('template hardening', () => {
  let template: Template;
  beforeAll(() => {
    template = buildHerald({ alarmEmail: 'oncall@example.com' });
  });

  it('every SNS topic is encrypted at rest with a key of the stack', () => {
    const topics = resourcesOf(template, 'AWS::SNS::Topic');
    expect(topics.length).toBeGreaterThanOrEqual(2);
    for (const [id, topic] of topics) {
      expect(referencedId(topic.KmsMasterKeyId), id).toMatch(/^TopicsKey/);
    }
  });

  it('no KMS key lets account principals use it directly (only administer it, or use it through a service)', () => {
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    expect(keys.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'SecretsKey',
      'TablesTableKey',
      'TopicsKey',
    ]);
    for (const [id, key] of keys) {
      const statements = (key.KeyPolicy as { Statement: KeyStatement[] }).Statement;
      for (const s of statements) {
        if (!isAccountRoot(s.Principal)) continue;
        const use = actionsOf(s).filter((a) => USE_ACTIONS.test(a));
        if (use.length === 0) continue;
        expect(
          s.Condition?.StringEquals?.['kms:ViaService'],
          `${id} ${s.Sid} ${use.join(',')}`,
        ).toBeDefined();
      }
    }
  });

  it('the signing-secrets key names its users: dispatch, attempt, retry lane, recovery, management, for the signing purpose only', () => {
    const [, key] = resourcesOf(template, 'AWS::KMS::Key').find(([id]) => id.startsWith('SecretsKey'))!;
    const statements = (key.KeyPolicy as { Statement: KeyStatement[] }).Statement;
    const users = statements
      .filter((s) => actionsOf(s).some((a) => USE_ACTIONS.test(a)))
      .map((s) => {
        expect(s.Condition).toEqual({
          StringEquals: { 'kms:EncryptionContext:herald:purpose': 'endpoint-signing-secret' },
        });
        return (referencedId((s.Principal as { AWS: unknown }).AWS) ?? '').replace(/[0-9A-F]{8}$/, '');
      });
    expect([...new Set(users)].sort()).toEqual([
      'EndpointRecoveryStepServiceRole',
      'EventsApiManagementServiceRole',
      'WebhooksAttemptServiceRole',
      'WebhooksDispatchServiceRole',
      'WebhooksRetryLaneConsumerServiceRole',
    ]);
  });

  it('CloudWatch may use the topics key to publish alarms, for this account only', () => {
    const [, key] = resourcesOf(template, 'AWS::KMS::Key').find(([id]) => id.startsWith('TopicsKey'))!;
    const statements = (key.KeyPolicy as { Statement: KeyStatement[] }).Statement;
    const cloudwatch = statements.find((s) =>
      JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(cloudwatch).toBeDefined();
    expect(cloudwatch!.Condition?.StringEquals?.['aws:SourceAccount']).toBeDefined();
  });

  it('ingest and the jobs write only their own partition keys (dynamodb:LeadingKeys)', () => {
    const writers = { EventsApiIngest: ['EVT#*'], JobinvoiceHandler: ['INVOICE#*'] };
    for (const [fn, keys] of Object.entries(writers)) {
      const puts = grantsOfRole(template, roleOfFunction(template, fn)).filter(
        (g) => g.action === 'dynamodb:PutItem' && g.resource === 'TablesMain',
      );
      expect(puts.length, fn).toBeGreaterThan(0);
      for (const put of puts) {
        expect(put.condition, fn).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } });
      }
    }
  });

  it('a job that declares table actions without their keys is refused at synth', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(
      () =>
        new HeraldStack(app, 'Loose', {
          jobs: [
            {
              name: 'loose',
              eventTypes: ['a.b'],
              entry: 'lambdas/jobs/invoice.ts',
              tableActions: ['PutItem'],
            },
          ],
        }),
    ).toThrow(/tableKeys/);
  });

  it('the API stage is throttled', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });

  it('alarms on every function’s throttles and errors, API 5xx and Step Functions throttling', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const onFunction = (metric: string, fnPrefix: string) =>
      alarms.some(
        (a) =>
          a.MetricName === metric &&
          a.Namespace === 'AWS/Lambda' &&
          JSON.stringify(a.Dimensions).includes(`"Ref":"${fnPrefix}`),
      );
    for (const fn of ALL_FUNCTIONS) {
      expect(onFunction('Throttles', fn), `${fn} throttles`).toBe(true);
      expect(onFunction('Errors', fn), `${fn} errors`).toBe(true);
    }
    expect(alarms.some((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx')).toBe(true);
    expect(alarms.some((a) => a.Namespace === 'AWS/States' && a.MetricName === 'ExecutionThrottled')).toBe(
      true,
    );
    const throttledEvents = alarms.filter((a) =>
      JSON.stringify(a.Metrics ?? []).includes('"MetricName":"ThrottledEvents"'),
    );
    expect(throttledEvents).toHaveLength(1);
    // Every alarm notifies the alarm topic.
    for (const a of alarms) expect(JSON.stringify(a.AlarmActions)).toMatch(/ObservabilityAlarmTopic/);
  });

  it('every log group, the access logs included, is retained when the stack is deleted', () => {
    const raw = template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    const groups = Object.entries(raw).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(ALL_FUNCTIONS.length + 2);
    for (const [id, r] of groups) expect(r.DeletionPolicy, id).toBe('Retain');
  });

  it('warns at synth and deploy when the alarm topic has no subscriber, and not when it has one', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const without = new HeraldStack(app, 'NoSubscriber');
    const withEmail = new HeraldStack(app, 'WithSubscriber', { alarmEmail: 'oncall@example.com' });
    const message = Match.stringLikeRegexp('alarm topic has no subscriber');
    Annotations.fromStack(without).hasWarning('*', message);
    Annotations.fromStack(withEmail).hasNoWarning('*', message);
  });
});

describe('portal settings of a deployment', () => {
  const managementEnv = (template: Template) =>
    environmentOf(resourceNamed(template, 'AWS::Lambda::Function', 'EventsApiManagement'));

  it('portal links point at the API’s own endpoint by default, never at a request’s Host', () => {
    const env = managementEnv(buildHerald());
    expect(JSON.stringify(env.HERALD_PORTAL_URL)).toMatch(
      /"Fn::GetAtt":\["EventsApi[0-9A-F]{8}","ApiEndpoint"\]/,
    );
    expect(JSON.stringify(env.HERALD_PORTAL_URL)).toContain('/portal/');
    expect(env.HERALD_PORTAL_MAX_SESSION_SECONDS).toBeUndefined(); // the default: a day (tokens.ts)
  });

  it('take the configured public URL and maximum session length', () => {
    const env = managementEnv(
      buildHerald({ publicUrl: 'https://hooks.example.com/', portalMaxSessionSeconds: 7200 }),
    );
    expect(env.HERALD_PORTAL_URL).toBe('https://hooks.example.com/portal/');
    expect(env.HERALD_PORTAL_MAX_SESSION_SECONDS).toBe('7200');
  });
});
