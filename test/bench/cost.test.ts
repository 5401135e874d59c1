import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { countedFrom, cpuFrom, durationsFrom, roleOf, threadRoleOf } from '../../bench/cost/counted.js';
import { ASSUMED_DURATION_MS, resolveInputs } from '../../bench/cost/inputs.js';
import {
  billedMs,
  type CountedPerEvent,
  deliveryCost,
  eventCost,
  type ModelInputs,
  retryExpectation,
} from '../../bench/cost/model.js';
import { loadPriceTable, PriceTableError, parsePriceTable, unitPrice } from '../../bench/cost/prices.js';
import { type CfnTemplate, readTemplateFacts } from '../../bench/cost/template.js';
import { replaceBetweenMarkers } from '../../bench/lib/markers.js';

const prices = loadPriceTable(
  join(import.meta.dirname, '..', '..', 'bench', 'cost', 'prices-us-east-1.json'),
);

const profile = { memoryMb: 1024, durationMs: 100 };
const inputs: ModelInputs = {
  functions: { authorizer: profile, ingest: profile, job: profile, dispatch: profile, attempt: profile },
  webhookPostMs: 100,
  startExecutionMs: 0,
  jobsPerEvent: 1,
  deliveriesPerEvent: 1,
  sqsBatchSize: 10,
  retryAttempts: 7,
  retrySuccessRate: 0.5,
};

const total = (items: readonly { usdPerMillion: number }[]): number =>
  items.reduce((s, i) => s + i.usdPerMillion, 0);

describe('prices', () => {
  it('turns "usd per N" into a unit price', () => {
    expect(unitPrice(prices, 'stepFunctionsStandardTransition')).toBeCloseTo(0.000025, 12);
    expect(unitPrice(prices, 'sqsStandardRequest')).toBeCloseTo(0.0000004, 12);
  });

  it('rejects a table with a missing item or source', () => {
    const broken = { retrieved: '2026-01-01', items: { lambdaRequest: { usd: 0.2, per: 1e6, source: 'x' } } };
    expect(() => parsePriceTable(broken)).toThrow(PriceTableError);
    expect(() => parsePriceTable(null)).toThrow(/retrieved/);
  });
});

describe('retryExpectation', () => {
  it('makes one retry when every retry succeeds', () => {
    expect(retryExpectation({ retryAttempts: 7, retrySuccessRate: 1 })).toEqual({
      attempts: 1,
      exhaustedProbability: 0,
    });
  });

  it('runs the whole schedule when no retry succeeds', () => {
    expect(retryExpectation({ retryAttempts: 7, retrySuccessRate: 0 })).toEqual({
      attempts: 7,
      exhaustedProbability: 1,
    });
  });

  it('sums the geometric series for a coin-flip endpoint', () => {
    const r = retryExpectation({ retryAttempts: 7, retrySuccessRate: 0.5 });
    expect(r.attempts).toBeCloseTo(1.984375, 9); // 1 + 1/2 + … + 1/64
    expect(r.exhaustedProbability).toBeCloseTo(1 / 128, 12);
  });
});

describe('deliveryCost', () => {
  it('bills a first-try delivery as the inline POST plus one write, with no Step Functions', () => {
    const bill = deliveryCost(inputs, prices, 'herald-fast-path', 0);
    expect(bill.items.some((i) => i.price === 'stepFunctionsStandardTransition')).toBe(false);
    // 1 GB × 0.1 s per delivery = 100,000 GB-s per million; 1 WRU per delivery (claimed in the event
    // record, adrs/0014, and written once with attempt 1 folded in).
    const expected = 100_000 * 0.0000133334 + 1 * 0.625;
    expect(bill.totalUsdPerMillion).toBeCloseTo(expected, 6);
    expect(total(bill.items)).toBeCloseTo(bill.totalUsdPerMillion, 9);
  });

  it('charges four transitions for a failed first attempt that the first retry delivers', () => {
    const once = { ...inputs, retrySuccessRate: 1 };
    const bill = deliveryCost(once, prices, 'herald-fast-path', 1);
    const transitions = bill.items.find((i) => i.price === 'stepFunctionsStandardTransition');
    expect(transitions?.quantityPerMillion).toBeCloseTo(4_000_000, 3); // Wait, Attempt, Choice, Succeed
    expect(transitions?.usdPerMillion).toBeCloseTo(100, 6);
  });

  it('prices x86_64 duration at the x86 rate', () => {
    const x86 = { ...profile, architecture: 'x86_64' as const };
    const onX86 = { ...inputs, functions: { ...inputs.functions, dispatch: x86 } };
    const arm = deliveryCost(inputs, prices, 'herald-fast-path', 0);
    const intel = deliveryCost(onX86, prices, 'herald-fast-path', 0);
    const gbSeconds = 100_000; // 1 GB × 0.1 s × 1 M deliveries
    expect(intel.items.find((i) => i.price === 'lambdaX86GbSecond')?.quantityPerMillion).toBeCloseTo(
      gbSeconds,
      3,
    );
    expect(intel.totalUsdPerMillion - arm.totalUsdPerMillion).toBeCloseTo(
      gbSeconds * (0.0000166667 - 0.0000133334),
      6,
    );
  });

  it('adds USD 75 per million when every delivery runs in a workflow', () => {
    const fast = deliveryCost(inputs, prices, 'herald-fast-path', 0);
    const workflow = deliveryCost(inputs, prices, 'step-functions-every-delivery', 0);
    const transitions = workflow.items.find((i) => i.price === 'stepFunctionsStandardTransition');
    expect(transitions?.usdPerMillion).toBeCloseTo(75, 6);
    expect(workflow.totalUsdPerMillion).toBeGreaterThan(fast.totalUsdPerMillion + 70);
  });

  it('grows with the failure rate and ends in the webhook DLQ when retries are exhausted', () => {
    const rates = [0, 0.01, 0.05, 0.2].map(
      (f) => deliveryCost(inputs, prices, 'herald-fast-path', f).totalUsdPerMillion,
    );
    expect([...rates].sort((a, b) => a - b)).toEqual(rates);
    const hopeless = deliveryCost({ ...inputs, retrySuccessRate: 0 }, prices, 'herald-fast-path', 1);
    const dlq = hopeless.items.find((i) => i.component === 'webhook DLQ send');
    expect(dlq?.quantityPerMillion).toBeCloseTo(1_000_000, 3);
    const transitions = hopeless.items.find((i) => i.price === 'stepFunctionsStandardTransition');
    expect(transitions?.quantityPerMillion).toBeCloseTo((3 * 7 + 2) * 1_000_000, 3);
  });

  it('bills EventBridge per event and per attempt only', () => {
    const bill = deliveryCost(inputs, prices, 'eventbridge-api-destinations', 0.2);
    const invocations = bill.items.find((i) => i.price === 'eventBridgeApiDestinationInvocation');
    expect(invocations?.quantityPerMillion).toBeCloseTo((1 + 0.2 * 1.984375) * 1_000_000, 3);
    expect(bill.totalUsdPerMillion).toBeCloseTo(1 + 0.2 * (1 + 0.2 * 1.984375), 6);
  });
});

describe('eventCost', () => {
  it('contains the HTTP request, one SNS publish and the delivery part', () => {
    const bill = eventCost(inputs, prices, 0);
    expect(bill.items.find((i) => i.price === 'apiGatewayHttpRequest')?.usdPerMillion).toBeCloseTo(1, 9);
    expect(bill.items.find((i) => i.price === 'snsPublish')?.usdPerMillion).toBeCloseTo(0.5, 9);
    const delivery = deliveryCost(inputs, prices, 'herald-fast-path', 0).totalUsdPerMillion;
    const deliveryLines = total(bill.items.filter((i) => i.component.startsWith('delivery: ')));
    expect(deliveryLines).toBeCloseTo(delivery, 9);
  });

  it('scales the delivery part with the deliveries per event', () => {
    const one = eventCost(inputs, prices, 0.05).totalUsdPerMillion;
    const three = eventCost({ ...inputs, deliveriesPerEvent: 3 }, prices, 0.05).totalUsdPerMillion;
    const delivery = deliveryCost(inputs, prices, 'herald-fast-path', 0.05).totalUsdPerMillion;
    expect(three - one).toBeCloseTo(2 * delivery, 6);
  });

  it('counts SQS as one send plus receive and delete per batch', () => {
    const bill = eventCost(inputs, prices, 0);
    expect(bill.items.find((i) => i.component === 'job queue requests')?.quantityPerMillion).toBeCloseTo(
      1_200_000,
      3,
    );
  });
});

describe('readTemplateFacts on a template synthesized by CDK', () => {
  const app = new App();
  const stack = new Stack(app, 'CostFixture');
  const code = Code.fromInline('exports.handler = async () => {}');
  const fn = (id: string, memorySize: number | undefined, env: Record<string, string>): void => {
    new LambdaFunction(stack, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code,
      architecture: Architecture.ARM_64,
      ...(memorySize !== undefined && { memorySize }),
      environment: env,
    });
  };
  fn('IngestFunction', 512, { HERALD_TABLE: 't', POWERTOOLS_SERVICE_NAME: 'herald' });
  fn('InvoiceJobFunction', 1024, { HERALD_TABLE: 't', HERALD_JOB_NAME: 'invoice' });
  fn('WebhooksDispatchFunction', undefined, { HERALD_TABLE: 't' });
  fn('SomeCdkHelper', 128, {}); // not Herald's: no HERALD_* environment
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;

  it('finds Herald functions by role with their memory and architecture', () => {
    const facts = readTemplateFacts(template);
    const byRole = Object.fromEntries(facts.functions.map((f) => [f.role, f]));
    expect(facts.functions).toHaveLength(3);
    expect(byRole.ingest).toMatchObject({ memoryMb: 512, architecture: 'arm64' });
    expect(byRole.job).toMatchObject({ memoryMb: 1024, jobName: 'invoice' });
    expect(byRole.dispatch?.memoryMb).toBe(128); // CloudFormation default when MemorySize is absent
  });

  it('feeds template memory into the model and falls back for missing roles', () => {
    const resolved = resolveInputs(readTemplateFacts(template));
    expect(resolved.inputs.functions.job.memoryMb).toBe(1024);
    expect(resolved.memoryFromTemplate).toEqual(['ingest', 'job', 'dispatch']);
    expect(resolved.inputs.functions.attempt.memoryMb).toBe(256);
    expect(resolved.inputs.functions.ingest.architecture).toBe('arm64');
  });

  it('lets measured durations and the real schedule length replace assumptions', () => {
    const resolved = resolveInputs(readTemplateFacts(template), {
      durationsMs: { job: 77 },
      retryAttempts: 5,
    });
    expect(resolved.inputs.functions.job.durationMs).toBe(77);
    expect(resolved.inputs.functions.ingest.durationMs).toBe(ASSUMED_DURATION_MS.ingest);
    expect(resolved.measuredDurations).toEqual(['job']);
    expect(resolved.inputs.retryAttempts).toBe(5);
  });
});

describe('replaceBetweenMarkers', () => {
  it('replaces only the marked section and appends markers when absent', () => {
    const doc = 'a\n<!-- x:start -->\nold\n<!-- x:end -->\nb';
    expect(replaceBetweenMarkers(doc, 'x', 'new')).toBe('a\n<!-- x:start -->\nnew\n<!-- x:end -->\nb');
    expect(replaceBetweenMarkers('a', 'x', 'new')).toBe('a\n\n<!-- x:start -->\nnew\n<!-- x:end -->\n');
  });
});

describe('eventCost from counted requests', () => {
  const counted: CountedPerEvent = {
    source: 'test',
    dynamoWrites: 7,
    dynamoIndexedWrites: 3,
    dynamoConsistentReads: 1,
    dynamoQueries: 0,
    snsPublishes: 2,
    invocations: { authorizer: 1, ingest: 1, job: 1, dispatch: 2 },
  };
  const withCounts: ModelInputs = { ...inputs, counted };
  const items = (f: number) => eventCost(withCounts, prices, f).items;
  const item = (name: string) => items(0).find((i) => i.component === name);

  it('prices the counted writes, index writes, reads and publishes, and no first-attempt writes twice', () => {
    expect(item('DynamoDB writes (counted)')?.quantityPerMillion).toBe(7_000_000);
    expect(item('DynamoDB index writes (gsi1k: events recorded)')?.quantityPerMillion).toBe(3_000_000);
    expect(item('DynamoDB consistent reads (counted)')?.quantityPerMillion).toBe(1_000_000);
    expect(item('DynamoDB queries (counted)')).toBeUndefined();
    expect(item('SNS publishes (counted)')?.quantityPerMillion).toBe(2_000_000);
    expect(items(0).some((i) => i.component.includes('delivery claim'))).toBe(false);
    expect(items(0).some((i) => i.component.includes('first attempt log'))).toBe(false);
  });

  it('bills SQS consumers per batch for the counted messages', () => {
    expect(item('dispatch invocations')?.quantityPerMillion).toBeCloseTo(200_000);
    expect(item('dispatch queue requests')?.quantityPerMillion).toBeCloseTo(2_400_000);
    expect(item('authorizer invocations')?.quantityPerMillion).toBe(1_000_000);
  });

  it('costs less with fewer counted writes, and more with first-attempt failures', () => {
    const fewer = eventCost(
      { ...inputs, counted: { ...counted, dynamoWrites: 5 } },
      prices,
      0,
    ).totalUsdPerMillion;
    expect(fewer).toBeLessThan(eventCost(withCounts, prices, 0).totalUsdPerMillion);
    expect(eventCost(withCounts, prices, 0.05).totalUsdPerMillion).toBeGreaterThan(
      eventCost(withCounts, prices, 0).totalUsdPerMillion,
    );
  });
});

describe('countedFrom / durationsFrom (benchmark results → model inputs)', () => {
  const saved: Parameters<typeof countedFrom>[1] = {
    suite: {
      calls: [
        { scenario: 'bench.webhook, one endpoint', perEvent: { 'dynamodb:PutItem': 2 } },
        {
          scenario: 'order.placed, invoice job, one endpoint',
          perEvent: {
            'dynamodb:PutItem': 5,
            'dynamodb:UpdateItem': 2,
            'dynamodb:GetItem': 1,
            'dynamodb:Query': 0.25,
            'sns:(query)': 2,
            'lambda:EventsApiAuthorizer': 1,
            'lambda:EventsApiIngest': 1,
            'lambda:JobinvoiceHandler': 1,
            'lambda:WebhooksDispatch': 2,
          },
        },
      ],
      configs: [
        {
          label: '100/s offered, pool 2',
          runs: [
            {
              invocations: {
                EventsApiIngest: { meanMs: 10, perEvent: 1 },
                WebhooksDispatch: { meanMs: 20, perEvent: 0.5 },
              },
            },
            {
              invocations: {
                EventsApiIngest: { meanMs: 30, perEvent: 1 },
                WebhooksDispatch: { meanMs: 40, perEvent: 0.5 },
              },
            },
            {
              invocations: {
                EventsApiIngest: { meanMs: 20, perEvent: 1 },
                WebhooksDispatch: { meanMs: 30, perEvent: 0.5 },
              },
            },
          ],
        },
      ],
    },
  };

  it('maps counted operations of the order.placed scenario onto the model', () => {
    expect(countedFrom('/x/bench/results/herald-2026-12-01.json', saved)).toEqual({
      source: 'bench/results/herald-2026-12-01.json, "order.placed, invoice job, one endpoint"',
      dynamoWrites: 7,
      // The two event records: a claim carries no list-index keys, the outcome update nothing gsi1k projects.
      dynamoIndexedWrites: 2,
      dynamoConsistentReads: 1,
      dynamoQueries: 0.25,
      snsPublishes: 2,
      invocations: { authorizer: 1, ingest: 1, job: 1, dispatch: 2 },
    });
  });

  it('takes ms per message from the median paced run', () => {
    expect(durationsFrom(saved)).toEqual({ ingest: 20, dispatch: 15 });
  });

  it('takes CPU ms per message from the paced runs: thread CPU over events accepted, median', () => {
    const withCpu: Parameters<typeof cpuFrom>[0] = {
      suite: {
        configs: [
          {
            label: '100/s offered, pool 2',
            runs: [0.05, 0.1, 0.2].map((cores) => ({
              acceptedPerSecond: 50,
              cpu: { byThread: { 'fn:EventsApiIng': cores, 'fn:WebhooksDisp': cores / 2, MainThread: 1 } },
            })),
          },
        ],
      },
    };
    expect(cpuFrom(withCpu)).toEqual({ ingest: 2, dispatch: 1 });
  });
});

describe('billedMs (Lambda time at a memory size)', () => {
  it('slows only the CPU part, by 1769 / memory below one vCPU', () => {
    expect(billedMs({ memoryMb: 1769, durationMs: 40, cpuMs: 2 })).toBeCloseTo(40, 9);
    expect(billedMs({ memoryMb: 3538, durationMs: 40, cpuMs: 2 })).toBeCloseTo(40, 9);
    expect(billedMs({ memoryMb: 256, durationMs: 40, cpuMs: 2 })).toBeCloseTo(38 + (2 * 1769) / 256, 9);
    expect(billedMs({ memoryMb: 256, durationMs: 40 })).toBe(40);
  });

  it('makes halving the memory save less than half when part of the time is CPU', () => {
    const gbMs = (memoryMb: number) => (memoryMb / 1024) * billedMs({ memoryMb, durationMs: 40, cpuMs: 2 });
    expect(gbMs(256)).toBeGreaterThan(gbMs(512) / 2);
    expect(gbMs(256)).toBeLessThan(gbMs(512));
  });
});

describe('threadRoleOf', () => {
  it.each([
    ['fn:EventsApiAut', 'authorizer'],
    ['fn:EventsApiIng', 'ingest'],
    ['fn:WebhooksDisp', 'dispatch'],
    ['fn:WebhooksAtte', 'attempt'],
    ['fn:JobinvoiceHa', 'job'],
    ['fn:EventsApiMan', undefined],
    ['MainThread', undefined],
  ])('%s → %s', (thread, role) => {
    expect(threadRoleOf(thread)).toBe(role);
  });
});

describe('roleOf', () => {
  it.each([
    ['EventsApiAuthorizer', 'authorizer'],
    ['authorizer', 'authorizer'],
    ['JobinvoiceHandler', 'job'],
    ['job-invoice', 'job'],
    ['WebhooksDispatch', 'dispatch'],
    ['dispatch', 'dispatch'],
    ['ingest', 'ingest'],
    ['management', undefined],
  ])('%s → %s', (label, role) => {
    expect(roleOf(label)).toBe(role);
  });
});
