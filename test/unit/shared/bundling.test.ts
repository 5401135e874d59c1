/**
 * What the esbuild aliases in lib/herald-function.ts leave out must never be needed on Lambda.
 * `@smithy/core/event-streams` (lambdas/shared/bundling/no-event-streams.ts) is loaded only for an
 * operation with an event-stream member: no operation of any SDK client Herald depends on has one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NormalizedSchema } from '@smithy/core/schema';
import { describe, expect, it, vi } from 'vitest';
import { EndpointCache } from '../../../lambdas/shared/bundling/endpoint-cache.js';
import {
  EventStreamSerde,
  eventStreamSerdeProvider,
} from '../../../lambdas/shared/bundling/no-event-streams.js';

const root = join(import.meta.dirname, '../../..');
const require = createRequire(join(root, 'package.json'));

/** Every `@aws-sdk/client-*` package Herald's functions may bundle: its runtime dependencies. */
const clients = Object.keys(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies,
).filter((name) => name.startsWith('@aws-sdk/client-'));

type OperationSchema = [9, string, string, unknown, unknown, unknown];

/** The operation schemas (`[9, namespace, name, traits, input, output]`) a client's ES build exports. */
async function operations(client: string): Promise<OperationSchema[]> {
  const dir = join(dirname(require.resolve(`${client}/package.json`)), 'dist-es/schemas');
  const module = (await import(join(dir, 'schemas_0.js'))) as Record<string, unknown>;
  return Object.values(module).filter(
    (value): value is OperationSchema => Array.isArray(value) && value[0] === 9,
  );
}

/** The operation's names whose input or output has an event-stream member, as the SDK's protocols decide it. */
function eventStreamOperations(schemas: readonly OperationSchema[]): string[] {
  return schemas
    .filter(
      ([, , , , input, output]) =>
        NormalizedSchema.of(input as never).getEventStreamMember() !== '' ||
        NormalizedSchema.of(output as never).getEventStreamMember() !== '',
    )
    .map((schema) => schema[2]);
}

describe('bundling aliases', () => {
  it('finds event-stream operations where there are some (Lambda: InvokeWithResponseStream)', async () => {
    // A dev dependency (aws-local-stepfunctions' Lambda client): proves the check can fail.
    expect(eventStreamOperations(await operations('@aws-sdk/client-lambda'))).toEqual([
      'InvokeWithResponseStream',
    ]);
  });

  it('no operation of the clients Herald bundles has an event-stream member', async () => {
    expect(clients.sort()).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-kms',
      '@aws-sdk/client-sfn',
      '@aws-sdk/client-sns',
      '@aws-sdk/client-sqs',
    ]);
    for (const client of clients) {
      const schemas = await operations(client);
      expect(schemas.length, client).toBeGreaterThan(10);
      expect(eventStreamOperations(schemas), client).toEqual([]);
    }
  });

  it('the event-stream stand-in fails loudly if the SDK ever reaches it', () => {
    expect(() => new EventStreamSerde()).toThrow(/no event-stream support/);
    expect(() => eventStreamSerdeProvider()).toThrow(/no event-stream support/);
  });
});

describe('the endpoint-cache stand-in (in place of @aws-sdk/endpoint-cache)', () => {
  const endpoints = (minutes: number, ...addresses: string[]) =>
    addresses.map((Address) => ({ Address, CachePeriodInMinutes: minutes }));

  it('exports what the original exports at run time: the EndpointCache class alone', () => {
    // Where the DynamoDB client's endpoint-discovery middleware finds it (a transitive dependency).
    const discovery = createRequire(require.resolve('@aws-sdk/client-dynamodb'));
    const middleware = createRequire(discovery.resolve('@aws-sdk/middleware-endpoint-discovery'));
    const original = join(dirname(middleware.resolve('@aws-sdk/endpoint-cache')), '../dist-es/index.js');
    const text = readFileSync(original, 'utf8');
    expect(text).toMatch(/export \{ EndpointCache \} from/);
    expect(text.match(/export /g)).toHaveLength(1);
  });

  it('keeps endpoints until they expire, answers one of them, and forgets deleted and cleared keys', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const cache = new EndpointCache(10);
      cache.set('k', endpoints(1, 'a.example', 'b.example'));
      expect(cache.has('k')).toBe(true);
      expect(['a.example', 'b.example']).toContain(cache.getEndpoint('k'));
      expect(cache.get('k')?.map((e) => e.Address)).toEqual(['a.example', 'b.example']);
      vi.setSystemTime(60_000);
      expect(cache.get('k')).toBeUndefined();
      expect(cache.has('k')).toBe(false);
      expect(cache.getEndpoint('k')).toBeUndefined();

      cache.set('d', endpoints(5, 'd.example'));
      cache.delete('d');
      expect(cache.has('d')).toBe(false);
      cache.set('c', endpoints(5, 'c.example'));
      cache.clear();
      expect(cache.get('c')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds at most its capacity, evicting the least recently used (a read counts as a use)', () => {
    const cache = new EndpointCache(2);
    cache.set('one', endpoints(5, '1.example'));
    cache.set('two', endpoints(5, '2.example'));
    expect(cache.get('one')).toBeDefined();
    cache.set('three', endpoints(5, '3.example'));
    expect(cache.has('two')).toBe(false);
    expect(cache.has('one')).toBe(true);
    expect(cache.has('three')).toBe(true);
  });
});
