import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

interface Synth {
  readonly code: number;
  readonly stderr: string;
  readonly environments: Record<string, Record<string, unknown>>;
  /** Every resource's type and properties. */
  readonly resources: { Type: string; Properties?: Record<string, unknown> }[];
}

/**
 * Runs bin/app.ts the way the CDK CLI does — context in CDK_CONTEXT_JSON, output dir in CDK_OUTDIR —
 * so the test covers the app's own context parsing, not just the stack props. Bundling is skipped.
 */
async function synthApp(outdir: string, context: Record<string, unknown>): Promise<Synth> {
  const env = {
    ...process.env,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
  };
  try {
    await run(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'bin/app.ts'], { env });
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: failure.code ?? 1, stderr: failure.stderr ?? '', environments: {}, resources: [] };
  }
  const template = JSON.parse(readFileSync(join(outdir, 'Herald.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Environment?: { Variables?: object } } }>;
  };
  const environments = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => [id, (r.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>]),
  );
  return { code: 0, stderr: '', environments, resources: Object.values(template.Resources) };
}

const valuesOf = (synth: Synth, name: string): unknown[] =>
  Object.values(synth.environments)
    .filter((env) => name in env)
    .map((env) => env[name]);

describe('bin/app.ts context', () => {
  let root: string;
  let defaults: Synth;
  let local: Synth;
  let invalid: Synth;
  let limits: Synth;
  let badLimit: Synth;
  let upgrading: Synth;
  let badLegacy: Synth;
  let delivery: Synth;
  let provisioned: Synth;
  let badBilling: Synth;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'herald-infra-context-'));
    [defaults, local, invalid, limits, badLimit, upgrading, badLegacy, delivery, provisioned, badBilling] =
      await Promise.all([
        synthApp(join(root, 'defaults'), {}),
        // The CLI passes `-c key=value` through as strings: the app must accept "true".
        synthApp(join(root, 'local'), {
          'herald:allowLoopbackWebhooks': 'true',
          'herald:retryTimeScale': '0.001',
          'herald:strictEventTypes': 'true',
        }),
        synthApp(join(root, 'invalid'), { 'herald:retryTimeScale': '-1' }),
        synthApp(join(root, 'limits'), {
          'herald:maxEndpointsPerTenant': '200',
          'herald:maxReplayCallsPerMinute': '3',
        }),
        synthApp(join(root, 'bad-limit'), { 'herald:maxEndpointsPerTenant': '0' }),
        synthApp(join(root, 'upgrading'), { 'herald:legacyGsi1': 'query' }),
        synthApp(join(root, 'bad-legacy'), { 'herald:legacyGsi1': 'yes' }),
        synthApp(join(root, 'delivery'), {
          'herald:attemptTimeoutSeconds': '20',
          'herald:inlineTimeoutMs': '1500',
          'herald:fanoutConcurrency': '4',
        }),
        synthApp(join(root, 'provisioned'), {
          'herald:billing': 'provisioned',
          'herald:maxWriteCapacity': '400',
          'herald:systemLogLevel': 'INFO',
        }),
        synthApp(join(root, 'bad-billing'), { 'herald:billing': 'reserved' }),
      ]);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the tables on-demand and Lambda system logs at WARN by default', () => {
    const tables = defaults.resources.filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables.map((t) => t.Properties?.BillingMode)).toEqual(['PAY_PER_REQUEST', 'PAY_PER_REQUEST']);
    const levels = defaults.resources
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => (r.Properties?.LoggingConfig as { SystemLogLevel?: string } | undefined)?.SystemLogLevel);
    expect(levels.filter((l) => l === 'WARN').length).toBeGreaterThanOrEqual(7);
  });

  it('passes -c herald:billing=provisioned, its capacity and herald:systemLogLevel through', () => {
    expect(provisioned.code).toBe(0);
    const targets = provisioned.resources.filter(
      (r) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget',
    );
    expect(targets).toHaveLength(6);
    const writes = targets.filter((t) =>
      String(t.Properties?.ScalableDimension).endsWith('WriteCapacityUnits'),
    );
    expect(writes.map((t) => t.Properties?.MaxCapacity)).toEqual([400, 400, 400]);
    const levels = provisioned.resources
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => (r.Properties?.LoggingConfig as { SystemLogLevel?: string } | undefined)?.SystemLogLevel)
      .filter((l) => l !== undefined);
    expect(new Set(levels)).toEqual(new Set(['INFO']));
  });

  it('refuses a billing mode it does not know', () => {
    expect(badBilling.code).not.toBe(0);
    expect(badBilling.stderr).toMatch(/herald:billing must be "on-demand" or "provisioned"/);
  });

  it('by default denies loopback webhooks and keeps real retry waits', () => {
    expect(defaults.code).toBe(0);
    const loopback = valuesOf(defaults, 'HERALD_ALLOW_LOOPBACK_WEBHOOKS');
    // The delivery functions: dispatch, attempt, the retry lane and endpoint recovery.
    expect(loopback).toHaveLength(4 + 1);
    expect(new Set(loopback)).toEqual(new Set(['false']));
    const scale = valuesOf(defaults, 'HERALD_RETRY_TIME_SCALE');
    expect(scale).toHaveLength(4);
    expect(new Set(scale)).toEqual(new Set(['1']));
  });

  it('passes herald:allowLoopbackWebhooks and herald:retryTimeScale to the functions', () => {
    expect(local.code).toBe(0);
    expect(new Set(valuesOf(local, 'HERALD_ALLOW_LOOPBACK_WEBHOOKS'))).toEqual(new Set(['true']));
    expect(new Set(valuesOf(local, 'HERALD_RETRY_TIME_SCALE'))).toEqual(new Set(['0.001']));
  });

  it('makes ingest strict about event types only with herald:strictEventTypes=true', () => {
    expect(valuesOf(defaults, 'HERALD_STRICT_EVENT_TYPES')).toEqual(['false']);
    expect(valuesOf(local, 'HERALD_STRICT_EVENT_TYPES')).toEqual(['true']);
  });

  it('refuses a retry time scale that is not a positive number', () => {
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/herald:retryTimeScale must be a positive number/);
  });

  it('gives management the limits: 50 endpoints a tenant and 10 bulk replays a minute by default', () => {
    expect(valuesOf(defaults, 'HERALD_MAX_ENDPOINTS_PER_TENANT')).toEqual(['50']);
    expect(valuesOf(defaults, 'HERALD_MAX_REPLAY_CALLS_PER_MINUTE')).toEqual(['10']);
    expect(valuesOf(defaults, 'HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE')).toEqual(['1000']);
  });

  it('passes herald:maxEndpointsPerTenant and herald:maxReplayCallsPerMinute through', () => {
    expect(limits.code).toBe(0);
    expect(valuesOf(limits, 'HERALD_MAX_ENDPOINTS_PER_TENANT')).toEqual(['200']);
    expect(valuesOf(limits, 'HERALD_MAX_REPLAY_CALLS_PER_MINUTE')).toEqual(['3']);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toMatch(/herald:maxEndpointsPerTenant must be a positive integer/);
  });

  it('points the listing functions (management, dispatch, the key set) at gsi1k, or at gsi1 while upgrading with herald:legacyGsi1=query', () => {
    expect(valuesOf(defaults, 'HERALD_LIST_INDEX')).toEqual(['gsi1k', 'gsi1k', 'gsi1k']);
    expect(upgrading.code).toBe(0);
    expect(valuesOf(upgrading, 'HERALD_LIST_INDEX')).toEqual(['gsi1', 'gsi1', 'gsi1']);
  });

  it('passes the delivery timeouts and fan-out from context, with their defaults otherwise', () => {
    expect(new Set(valuesOf(defaults, 'HERALD_WEBHOOK_TIMEOUT_MS'))).toEqual(new Set(['15000']));
    expect(new Set(valuesOf(defaults, 'HERALD_INLINE_TIMEOUT_MS'))).toEqual(new Set(['1000']));
    expect(valuesOf(defaults, 'HERALD_FANOUT_CONCURRENCY')).toEqual(['10']);
    expect(delivery.code).toBe(0);
    expect(new Set(valuesOf(delivery, 'HERALD_WEBHOOK_TIMEOUT_MS'))).toEqual(new Set(['20000']));
    expect(new Set(valuesOf(delivery, 'HERALD_INLINE_TIMEOUT_MS'))).toEqual(new Set(['1500']));
    expect(valuesOf(delivery, 'HERALD_FANOUT_CONCURRENCY')).toEqual(['4']);
  });

  it('refuses a herald:legacyGsi1 other than query or keep', () => {
    expect(badLegacy.code).not.toBe(0);
    expect(badLegacy.stderr).toMatch(/herald:legacyGsi1 must be "query" or "keep"/);
  });
});
