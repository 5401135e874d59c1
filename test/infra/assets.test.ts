import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { SQSHandler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../lambdas/api/router.js';
import { createAdminKey } from '../../lambdas/shared/store/api-keys.js';
import { HeraldStack } from '../../lib/herald-stack.js';
import { toSqsRecord } from '../../local/event-source-poller.js';
import { lambdaContext } from '../support/factories.js';
import {
  apiEvent,
  fakeContext,
  type Harness,
  json,
  MAIN_TABLE,
  receiveAll,
  startHarness,
} from '../support/harness.js';
import { ALL_FUNCTIONS, resourcesOf } from './support/template.js';

/**
 * Handler bundle budget per function (issue 14, cold start): the minified `index.js` a cold start
 * parses. The JSON Schema engine, loaded on first validation only, is a file of its own beside it.
 */
const BUNDLE_BUDGET_BYTES = 400 * 1024;
/** The functions that validate JSON Schemas (event-type catalog): their assets carry the engine. */
const WITH_SCHEMA_ENGINE = ['EventsApiIngest', 'EventsApiManagement'];

describe('function bundles (real esbuild run)', () => {
  let outdir: string;
  let assets: { id: string; dir: string }[];

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'herald-infra-assets-'));
    const template = Template.fromStack(new HeraldStack(new App({ outdir }), 'Test'));
    assets = resourcesOf(template, 'AWS::Lambda::Function').map(([id, props]) => {
      const key = (props.Code as { S3Key: string }).S3Key;
      return { id, dir: join(outdir, `asset.${key.replace(/\.zip$/, '')}`) };
    });
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('gives each function its own asset', () => {
    expect(assets).toHaveLength(ALL_FUNCTIONS.length);
    expect(new Set(assets.map((a) => a.dir)).size).toBe(assets.length);
  });

  it('holds one CommonJS bundle and its source map (the portal also its built static assets)', () => {
    for (const { id, dir } of assets) {
      const portal = id.startsWith('PortalAssets');
      const engine = WITH_SCHEMA_ENGINE.some((prefix) => id.startsWith(prefix));
      expect(readdirSync(dir).sort(), id).toEqual([
        'index.js',
        'index.js.map',
        ...(engine ? ['json-schema-engine.js', 'json-schema-engine.js.map'] : []),
        ...(portal ? ['portal'] : []),
      ]);
      if (portal)
        expect(readdirSync(join(dir, 'portal')).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    }
  });

  it('bundles every dependency, the AWS SDK included (versions pinned by the lockfile)', () => {
    // Only the packages Herald imports; the SDK's optional CRT/SigV4a packages are named in error
    // strings and lazy requires by design.
    const external =
      /require\(["'](@aws-sdk\/(client-[a-z]+|lib-dynamodb)|@aws-lambda-powertools\/[a-z]+)["']\)/g;
    for (const { id, dir } of assets) {
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      expect(
        [...code.matchAll(external)].map((m) => m[1]),
        id,
      ).toEqual([]);
      expect(/\bhandler:\(\)=>/.test(code), `${id} exports handler`).toBe(true);
    }
  });

  it('keeps every handler bundle within 400 KiB', () => {
    for (const { id, dir } of assets) {
      expect(statSync(join(dir, 'index.js')).size, id).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    }
  });

  it('loads the JSON Schema engine from its own file, which is beside every bundle that loads it', () => {
    for (const { id, dir } of assets) {
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      const loads = code.includes('import("./json-schema-engine.js")');
      expect(loads, id).toBe(WITH_SCHEMA_ENGINE.some((prefix) => id.startsWith(prefix)));
      expect(existsSync(join(dir, 'json-schema-engine.js')), id).toBe(loads);
      // Ajv itself (its meta-schema loader) is in the engine file only.
      expect(code.includes('addMetaSchema'), id).toBe(false);
    }
  });

  /**
   * The bundles as deployed, against dynalite + fauxqs: what the aliases leave out (credential chain,
   * browser user agent, event streams) is never reached, and the engine file loads and validates.
   */
  describe('run against the local emulators', () => {
    let h: Harness;
    let admin: string;
    type ApiHandler = (event: ApiEvent, context?: unknown) => Promise<{ statusCode?: number; body?: string }>;
    let ingest: ApiHandler;
    let management: ApiHandler;
    let dispatch: SQSHandler;

    beforeAll(async () => {
      h = await startHarness();
      admin = (await createAdminKey(MAIN_TABLE)).key;
      const load = <T>(prefix: string): T => {
        const asset = assets.find((a) => a.id.startsWith(prefix));
        if (asset === undefined) throw new Error(`no asset for ${prefix}`);
        return (createRequire(import.meta.url)(join(asset.dir, 'index.js')) as { handler: T }).handler;
      };
      ingest = load('EventsApiIngest');
      management = load('EventsApiManagement');
      dispatch = load('WebhooksDispatch');
    });
    afterAll(async () => {
      await h?.stop();
    });

    const schema = {
      type: 'object',
      required: ['parcelId', 'carrier'],
      properties: {
        parcelId: { type: 'string', format: 'uuid' },
        carrier: { enum: ['dhl', 'ups'] },
      },
    };
    const parcel = { parcelId: '0b5c8a52-4c6e-4cf4-9a55-2f8e3f0c61a1', carrier: 'dhl' };

    it('management registers a schema and checks a new version for compatibility', async () => {
      const created = await management(
        await apiEvent('POST', '/v1/event-types', {
          key: admin,
          body: { name: 'parcel.sent', description: 'x', schema, examples: [parcel] },
        }),
      );
      expect(created.statusCode, created.body).toBe(201);
      const typo = await management(
        await apiEvent('POST', '/v1/event-types', {
          key: admin,
          body: { name: 'parcel.typo', description: 'x', schema: { type: 'string', minLenght: 1 } },
        }),
      );
      expect(typo.statusCode).toBe(400);
      const narrowed = { ...schema, properties: { ...schema.properties, carrier: { enum: ['dhl'] } } };
      const refused = await management(
        await apiEvent('PUT', '/v1/event-types/parcel.sent/schema', {
          key: admin,
          body: { schema: narrowed },
        }),
      );
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('\\"ups\\" was allowed and no longer is');
    });

    it('ingest validates against it, publishes with an Idempotency-Key, and dispatch records the event', async () => {
      const publish = async (data: unknown, headers: Record<string, string> = {}) =>
        ingest(
          await apiEvent('POST', '/v1/events', {
            key: admin,
            body: { type: 'parcel.sent', tenantId: 't_bundle', data },
            headers,
          }),
          fakeContext(),
        );
      const invalid = await publish({ parcelId: 'nope', carrier: 'fedex' });
      expect(invalid.statusCode).toBe(400);
      expect(json(invalid as never).errors).toEqual([
        { pointer: '/data/parcelId', message: 'must match format "uuid"' },
        { pointer: '/data/carrier', message: 'must be equal to one of the allowed values' },
      ]);
      const first = await publish(parcel, { 'idempotency-key': 'bundle-1' });
      const again = await publish(parcel, { 'idempotency-key': 'bundle-1' });
      expect(first.statusCode, first.body).toBe(202);
      expect(json(again as never).id).toBe(json(first as never).id);

      const messages = (await receiveAll(h.sqs, h.queues.subscriber, 30)).filter(
        (m) => m.MessageAttributes?.tenantId?.StringValue === 't_bundle',
      );
      expect(messages).toHaveLength(1);
      const records = messages.map((m) =>
        toSqsRecord(m, 'arn:aws:sqs:us-east-1:000000000000:dispatch', 'us-east-1'),
      );
      const result = await dispatch({ Records: records }, lambdaContext(), () => undefined);
      expect(result).toEqual({ batchItemFailures: [] });
      const id = json(first as never).id as string;
      const stored = await management(await apiEvent('GET', `/v1/events/${id}`, { key: admin }));
      expect(stored.statusCode).toBe(200);
      expect(json(stored as never)).toMatchObject({ id, schemaVersion: 1, data: parcel });
    });
  });
});
