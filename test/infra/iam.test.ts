import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../lib/jobs.js';
import { grantLines, grantsOfRole, managedPoliciesOf, roleOfFunction } from './support/iam.js';
import { buildHerald, jobResources, resourcesOf } from './support/template.js';

/**
 * Least privilege, function by function: exactly the actions its code calls (docs/internals.md "IAM per
 * function"), on the resources it uses. Change a function's calls and its line here together.
 */
const LOGS = (fn: string) => [`logs:CreateLogStream ${fn}Logs`, `logs:PutLogEvents ${fn}Logs`];
const TABLE_KEY_READ = ['kms:Decrypt TablesTableKey'];
const TABLE_KEY_WRITE = [
  'kms:Decrypt TablesTableKey',
  'kms:Encrypt TablesTableKey',
  'kms:GenerateDataKey TablesTableKey',
];
const IDEMPOTENCY = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map(
  (a) => `dynamodb:${a} TablesIdempotency`,
);
/** What an SQS event source mapping needs (CDK's grant for the mapping). */
const EVENT_SOURCE = (queue: string) =>
  ['ReceiveMessage', 'ChangeMessageVisibility', 'GetQueueUrl', 'DeleteMessage', 'GetQueueAttributes'].map(
    (a) => `sqs:${a} ${queue}`,
  );
const CONSUME = (queue: string) =>
  ['ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes'].map(
    (a) => `sqs:${a} ${queue}`,
  );
const SECRETS_OPEN = ['kms:Decrypt SecretsKey'];
const SECRETS_SEAL = ['kms:GenerateDataKey SecretsKey', 'kms:Decrypt SecretsKey'];
const main = (...actions: string[]) => actions.map((a) => `dynamodb:${a} TablesMain`);
/** Publishing to the encrypted events topic: sns:Publish and the topics key (through SNS only, its key policy). */
const PUBLISH = ['sns:Publish EventsTopic', 'kms:Decrypt TopicsKey', 'kms:GenerateDataKey* TopicsKey'];

const jobIds = jobs.map((job) => jobResources(job.name));

/** A job's actions, derived from its declaration (lib/background-job.ts grants them). */
function expectedForJob(job: (typeof jobs)[number]): string[] {
  const id = jobResources(job.name);
  return [
    ...LOGS(id.fn),
    ...main(...new Set(['GetItem', 'PutItem', ...(job.tableActions ?? [])])),
    ...TABLE_KEY_WRITE,
    ...IDEMPOTENCY,
    ...PUBLISH,
    // A non-retryable failure goes to the job's DLQ at once.
    `sqs:SendMessage ${id.dlq}`,
    ...EVENT_SOURCE(id.queue),
  ];
}

const expected: Record<string, string[]> = {
  EventsApiAuthorizer: [...LOGS('EventsApiAuthorizer'), ...main('GetItem'), ...TABLE_KEY_READ],
  EventsApiIngest: [
    ...LOGS('EventsApiIngest'),
    ...main('PutItem'),
    ...TABLE_KEY_WRITE,
    // The catalog entry of a registered type (ETYPE# items only), on a cache miss.
    ...main('GetItem'),
    ...TABLE_KEY_READ,
    // API-key and portal-session items: ingest verifies the caller itself (ADR 0005, amended).
    ...main('GetItem'),
    ...TABLE_KEY_READ,
    ...IDEMPOTENCY,
    ...PUBLISH,
  ],
  EventsApiManagement: [
    ...LOGS('EventsApiManagement'),
    ...main('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'),
    'dynamodb:Query TablesMain/index/gsi1k',
    ...TABLE_KEY_WRITE,
    ...SECRETS_SEAL,
    ...CONSUME('WebhooksWebhookDlq'),
    ...CONSUME('WebhooksDispatchQueueDlq'),
    ...jobIds.flatMap((job) => CONSUME(job.dlq)),
    ...CONSUME('RetryWatchWorkDlq'),
    ...CONSUME('WebhooksRetryLaneDlq'),
    'sqs:SendMessage WebhooksDispatchQueue',
    'sqs:SendMessage WebhooksRetryLaneQueue',
    ...jobIds.map((job) => `sqs:SendMessage ${job.queue}`),
    'sqs:SendMessage RetryWatchWorkQueue',
  ],
  WebhooksDispatch: [
    ...LOGS('WebhooksDispatch'),
    ...main('GetItem', 'PutItem', 'UpdateItem'),
    'dynamodb:Query TablesMain/index/gsi1k',
    ...TABLE_KEY_WRITE,
    ...SECRETS_OPEN,
    'sqs:SendMessage WebhooksWebhookDlq',
    // Retries due within 45 min wait on the retry lane, longer ones in the workflow (adrs/0013).
    'sqs:SendMessage WebhooksRetryLaneQueue',
    'states:StartExecution WebhooksRetryWorkflow',
    // Parking starts the endpoint's one recovery workflow (adrs/0011).
    'states:StartExecution EndpointRecoveryWorkflow',
    // Operational events (herald.*, adrs/0007).
    ...PUBLISH,
    ...EVENT_SOURCE('WebhooksDispatchQueue'),
  ],
  // A recovery step: reads and settles the backlog (query, delete), attempts, dead-letters a refused
  // message, hands a message-specific failure to its own retry workflow (adrs/0011).
  EndpointRecoveryStep: [
    ...LOGS('EndpointRecoveryStep'),
    ...main('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'),
    ...TABLE_KEY_WRITE,
    ...PUBLISH,
    ...SECRETS_OPEN,
    'sqs:SendMessage WebhooksWebhookDlq',
    'sqs:SendMessage WebhooksRetryLaneQueue',
    'states:StartExecution WebhooksRetryWorkflow',
  ],
  // The retry lane's consumer (adrs/0013): an attempt as the workflow's task makes it, then the next
  // hop on the lane, a workflow for a long wait, or the webhook DLQ.
  WebhooksRetryLaneConsumer: [
    ...LOGS('WebhooksRetryLaneConsumer'),
    ...main('GetItem', 'PutItem', 'UpdateItem'),
    ...TABLE_KEY_WRITE,
    ...PUBLISH,
    ...SECRETS_OPEN,
    'sqs:SendMessage WebhooksWebhookDlq',
    'sqs:SendMessage WebhooksRetryLaneQueue',
    'states:StartExecution WebhooksRetryWorkflow',
    ...EVENT_SOURCE('WebhooksRetryLaneQueue'),
  ],
  WebhooksAttempt: [
    ...LOGS('WebhooksAttempt'),
    ...main('GetItem', 'PutItem', 'UpdateItem'),
    ...TABLE_KEY_WRITE,
    ...PUBLISH,
    ...SECRETS_OPEN,
  ],
  RetryWatchFunction: [
    ...LOGS('RetryWatchFunction'),
    ...main('GetItem', 'UpdateItem', 'Query'),
    ...TABLE_KEY_WRITE,
    'sqs:SendMessage WebhooksWebhookDlq',
    // A recovery that ended badly is started again while its backlog holds anything.
    'states:StartExecution EndpointRecoveryWorkflow',
    ...EVENT_SOURCE('RetryWatchWorkQueue'),
  ],
  // Every declared job (lib/jobs.ts), from its declaration: a job added as README's "Add a background
  // job" says is checked without a line here.
  ...Object.fromEntries(jobs.map((job) => [jobResources(job.name).fn, expectedForJob(job)])),
  // Serves static files from its bundle: its own logs and nothing else.
  PortalAssets: [...LOGS('PortalAssets')],
  // The v1a key set: endpoint ids from the list index, then the public parts of EP# items; no KMS key.
  PublicKeySetJwks: [
    ...LOGS('PublicKeySetJwks'),
    ...main('GetItem'),
    'dynamodb:Query TablesMain/index/gsi1k',
    ...TABLE_KEY_READ,
  ],
};

describe('IAM: least privilege per function', () => {
  let template: Template;
  beforeAll(() => {
    template = buildHerald();
  });

  for (const [fn, lines] of Object.entries(expected)) {
    it(`${fn} has exactly what its code calls`, () => {
      const role = roleOfFunction(template, fn);
      expect(grantLines(grantsOfRole(template, role))).toEqual([...new Set(lines)].sort());
      expect(
        managedPoliciesOf(template, role),
        'no managed policies (AWSLambdaBasicExecutionRole: every log group)',
      ).toEqual([]);
    });
  }

  it('lists every function of the stack (a new function needs its line here)', () => {
    const ids = resourcesOf(template, 'AWS::Lambda::Function').map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(ids.sort()).toEqual(Object.keys(expected).sort());
  });

  it('no function can Scan, BatchWriteItem, BatchGetItem or use a wildcard action', () => {
    for (const fn of Object.keys(expected)) {
      const actions = grantsOfRole(template, roleOfFunction(template, fn)).map((g) => g.action);
      for (const action of actions) {
        // The one wildcard: what SNS documents for publishing to an encrypted topic.
        if (action === 'kms:GenerateDataKey*') continue;
        expect(action, fn).not.toMatch(/Scan|BatchWriteItem|BatchGetItem|\*/);
      }
    }
  });

  it('the authorizer reads API-key and portal-session items only (dynamodb:LeadingKeys)', () => {
    const grants = grantsOfRole(template, roleOfFunction(template, 'EventsApiAuthorizer')).filter((g) =>
      g.action.startsWith('dynamodb:'),
    );
    expect(grants).toEqual([
      {
        action: 'dynamodb:GetItem',
        resource: 'TablesMain',
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APIKEY#*', 'PORTAL#*'] } },
      },
    ]);
  });

  it('ingest reads the same items only, the catalog entries besides (dynamodb:LeadingKeys)', () => {
    const reads = grantsOfRole(template, roleOfFunction(template, 'EventsApiIngest')).filter(
      (g) => g.action === 'dynamodb:GetItem' && g.resource === 'TablesMain',
    );
    expect(reads.map((g) => g.condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ETYPE#*'] } },
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APIKEY#*', 'PORTAL#*'] } },
    ]);
  });

  it('the key set function reads endpoint items only (dynamodb:LeadingKeys)', () => {
    const grants = grantsOfRole(template, roleOfFunction(template, 'PublicKeySetJwks')).filter(
      (g) => g.action === 'dynamodb:GetItem',
    );
    expect(grants).toEqual([
      {
        action: 'dynamodb:GetItem',
        resource: 'TablesMain',
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EP#*'] } },
      },
    ]);
  });

  it('table-key use is limited to DynamoDB (kms:ViaService)', () => {
    for (const fn of Object.keys(expected)) {
      for (const g of grantsOfRole(template, roleOfFunction(template, fn))) {
        if (g.resource !== 'TablesTableKey') continue;
        expect(g.condition, `${fn} ${g.action}`).toEqual({
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
        });
      }
    }
  });

  it('only dispatch, attempt, the retry lane (open) and management (seal, open) may use the secrets key, for its purpose only', () => {
    const users = Object.keys(expected).filter((fn) =>
      grantsOfRole(template, roleOfFunction(template, fn)).some((g) => g.resource === 'SecretsKey'),
    );
    expect(users.sort()).toEqual([
      'EndpointRecoveryStep',
      'EventsApiManagement',
      'WebhooksAttempt',
      'WebhooksDispatch',
      'WebhooksRetryLaneConsumer',
    ]);
    for (const fn of users) {
      for (const g of grantsOfRole(template, roleOfFunction(template, fn))) {
        if (g.resource !== 'SecretsKey') continue;
        expect(g.condition, `${fn} ${g.action}`).toEqual({
          StringEquals: { 'kms:EncryptionContext:herald:purpose': 'endpoint-signing-secret' },
        });
      }
    }
  });

  it('the webhook DLQ send is the workflow role’s, not the attempt function’s', () => {
    const workflow = grantLines(grantsOfRole(template, 'WebhooksRetryWorkflowRole'));
    expect(workflow).toContain('sqs:SendMessage WebhooksWebhookDlq');
    expect(workflow).toContain('lambda:InvokeFunction WebhooksAttempt');
  });
});
