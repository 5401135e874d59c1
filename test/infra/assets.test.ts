import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldStack } from '../../lib/herald-stack.js';
import { ALL_FUNCTIONS, resourcesOf } from './support/template.js';

/** Minified bundle budget per function; today's bundles are ~0.6 MiB with the AWS SDK inside. */
const BUNDLE_BUDGET_BYTES = 1.5 * 1024 * 1024;

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

  it('holds one CommonJS bundle and its source map', () => {
    for (const { id, dir } of assets) {
      expect(readdirSync(dir).sort(), id).toEqual(['index.js', 'index.js.map']);
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

  it('stays within the bundle size budget', () => {
    for (const { id, dir } of assets) {
      expect(statSync(join(dir, 'index.js')).size, id).toBeLessThan(BUNDLE_BUDGET_BYTES);
    }
  });
});
