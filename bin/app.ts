#!/usr/bin/env node
import { App, Duration } from 'aws-cdk-lib';
import { parseBilling, parseCapacity } from '../lib/capacity.js';
import { HeraldStack } from '../lib/herald-stack.js';
import { parseDisableAfter } from '../lib/webhooks.js';

const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);
const asBoolean = (value: unknown): boolean => value === true || value === 'true';

const retryTimeScale = Number(context('herald:retryTimeScale') ?? 1);
if (!Number.isFinite(retryTimeScale) || retryTimeScale <= 0) {
  throw new Error(
    `Context herald:retryTimeScale must be a positive number, got ${String(context('herald:retryTimeScale'))}`,
  );
}
const alarmEmail = context('herald:alarmEmail');
/** A limit from context (docs/api.md "Limits"), or undefined for its default. */
const limitContext = (key: string): number | undefined => {
  const raw = context(key);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Context ${key} must be a positive integer, got ${String(raw)}`);
  }
  return value;
};
const maxEndpointsPerTenant = limitContext('herald:maxEndpointsPerTenant');
const maxReplayCallsPerMinute = limitContext('herald:maxReplayCallsPerMinute');
// The delivery plane's timeouts and fan-out (docs/internals.md "Environment variables").
const attemptTimeoutSeconds = limitContext('herald:attemptTimeoutSeconds');
const inlineTimeoutMs = limitContext('herald:inlineTimeoutMs');
const fanoutConcurrency = limitContext('herald:fanoutConcurrency');
const maxCallerDeliveriesPerMinute = limitContext('herald:maxCallerDeliveriesPerMinute');
// Endpoint recovery and reserved concurrency (adrs/0011); a reserved concurrency of 0 reserves none.
const backlogLifetimeSeconds = limitContext('herald:backlogLifetimeSeconds');
const slowLaneWidth = limitContext('herald:slowLaneWidth');
const reservedContext = (key: string): number | undefined => {
  const raw = context(key);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Context ${key} must be a whole number (0 reserves none), got ${String(raw)}`);
  }
  return value;
};
const dispatchReserved = reservedContext('herald:dispatchReservedConcurrency');
const attemptReserved = reservedContext('herald:attemptReservedConcurrency');
const recoveryReserved = reservedContext('herald:recoveryReservedConcurrency');
const endpointDisableAfter = parseDisableAfter(context('herald:endpointDisableAfter'));
// The portal's public URL (a custom domain) and the longest portal session (docs/security.md).
const publicUrl = context('herald:publicUrl');
if (publicUrl !== undefined && (typeof publicUrl !== 'string' || !/^https:\/\/[^/]+/.test(publicUrl))) {
  throw new Error(`Context herald:publicUrl must be an https:// URL, got ${String(publicUrl)}`);
}
const portalMaxSessionSeconds = limitContext('herald:portalMaxSessionSeconds');
if (
  portalMaxSessionSeconds !== undefined &&
  (portalMaxSessionSeconds < 60 || portalMaxSessionSeconds > 604_800)
) {
  throw new Error(
    `Context herald:portalMaxSessionSeconds must be 60 to 604800 (API.md), got ${portalMaxSessionSeconds}`,
  );
}
// Upgrading a stack deployed with the gsi1 index: `query`, then `keep`, then none (lib/tables.ts).
const legacyGsi1 = context('herald:legacyGsi1');
if (legacyGsi1 !== undefined && legacyGsi1 !== 'query' && legacyGsi1 !== 'keep') {
  throw new Error(`Context herald:legacyGsi1 must be "query" or "keep", got ${String(legacyGsi1)}`);
}

// The tables' billing mode: on-demand, or provisioned with auto-scaling (docs/internals.md).
const billing = parseBilling(context('herald:billing'));
const capacity = billing === 'provisioned' ? parseCapacity(context) : undefined;

new HeraldStack(app, String(context('herald:stackName') ?? 'Herald'), {
  description: 'Herald: events in, idempotent background jobs, signed webhooks out',
  allowLoopbackWebhooks: asBoolean(context('herald:allowLoopbackWebhooks')),
  retryTimeScale,
  ...(endpointDisableAfter ? { endpointDisableAfter } : {}),
  delivery: {
    ...(attemptTimeoutSeconds !== undefined
      ? { attemptTimeout: Duration.seconds(attemptTimeoutSeconds) }
      : {}),
    ...(inlineTimeoutMs !== undefined ? { inlineTimeout: Duration.millis(inlineTimeoutMs) } : {}),
    ...(fanoutConcurrency !== undefined ? { fanoutConcurrency } : {}),
    reservedConcurrency: {
      ...(dispatchReserved !== undefined ? { dispatch: dispatchReserved } : {}),
      ...(attemptReserved !== undefined ? { attempt: attemptReserved } : {}),
    },
  },
  recovery: {
    ...(backlogLifetimeSeconds !== undefined ? { backlogLifetimeSeconds } : {}),
    ...(slowLaneWidth !== undefined ? { slowLaneWidth } : {}),
    ...(recoveryReserved !== undefined ? { reservedConcurrency: recoveryReserved } : {}),
  },
  strictEventTypes: asBoolean(context('herald:strictEventTypes')),
  ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
  ...(legacyGsi1 !== undefined ? { legacyGsi1 } : {}),
  billing,
  ...(capacity !== undefined ? { capacity } : {}),
  ...(typeof publicUrl === 'string' ? { publicUrl } : {}),
  ...(portalMaxSessionSeconds !== undefined ? { portalMaxSessionSeconds } : {}),
  limits: {
    ...(maxEndpointsPerTenant !== undefined ? { endpointsPerTenant: maxEndpointsPerTenant } : {}),
    ...(maxReplayCallsPerMinute !== undefined ? { replayCallsPerMinute: maxReplayCallsPerMinute } : {}),
    ...(maxCallerDeliveriesPerMinute !== undefined
      ? { callerDeliveriesPerMinute: maxCallerDeliveriesPerMinute }
      : {}),
  },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
