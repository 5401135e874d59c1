/**
 * Lambda bundle size per function, from a cloud assembly: the template maps each function to its asset
 * (`aws:asset:path` metadata, else the `asset.<S3Key hash>` directory). Reports the handler file, the
 * whole asset directory (source maps included) and a deflate estimate of the deployment zip, against a
 * budget on the handler file.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { readTemplate } from './assembly.js';

const KiB = 1024;
/**
 * Budget for a function's handler bundle (minified JS, uncompressed), as test/infra/assets.test.ts
 * enforces it. Files the handler loads later (the JSON Schema engine) count in the asset, not here.
 */
const BUNDLE_BUDGET_BYTES = 400 * KiB;

interface BundleSize {
  readonly functionId: string;
  readonly asset: string;
  readonly handlerFile: string;
  readonly handlerBytes: number;
  /** Every JavaScript file of the asset: the handler and what it loads later (no source maps). */
  readonly jsBytes: number;
  readonly assetBytes: number;
  /** Sum of raw-deflated files: close to the zip CloudFormation uploads. */
  readonly zippedBytesEstimate: number;
  readonly withinBudget: boolean;
}

function assetDirOf(
  props: Record<string, unknown>,
  metadata: Record<string, unknown> | undefined,
): string | undefined {
  const path = metadata?.['aws:asset:path'];
  if (typeof path === 'string') return path;
  const key = (props.Code as { S3Key?: unknown } | undefined)?.S3Key;
  const hash = typeof key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(key)?.[1] : undefined;
  return hash === undefined ? undefined : `asset.${hash}`;
}

function bundleSizes(outdir: string): BundleSize[] {
  const template = readTemplate(outdir) as {
    Resources: Record<
      string,
      { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >;
  };
  const out: BundleSize[] = [];
  for (const [id, res] of Object.entries(template.Resources)) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const props = res.Properties ?? {};
    const asset = assetDirOf(props, res.Metadata);
    if (asset === undefined || typeof props.Handler !== 'string') continue;
    const dir = join(outdir, asset);
    const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
    const base = props.Handler.slice(0, props.Handler.lastIndexOf('.'));
    const handlerFile = files.find((f) => ['.mjs', '.js', '.cjs'].some((ext) => f === base + ext)) ?? '';
    let assetBytes = 0;
    let jsBytes = 0;
    let zipped = 0;
    for (const f of files) {
      // The runtime's own CommonJS marker is not part of what CDK bundled.
      if (f === 'package.json') continue;
      const content = readFileSync(join(dir, f));
      assetBytes += content.length;
      if (/\.(m|c)?js$/.test(f)) jsBytes += content.length;
      zipped += deflateRawSync(content).length;
    }
    const handlerBytes = handlerFile === '' ? 0 : statSync(join(dir, handlerFile)).size;
    out.push({
      functionId: id,
      asset,
      handlerFile,
      handlerBytes,
      jsBytes,
      assetBytes,
      zippedBytesEstimate: zipped,
      withinBudget: handlerBytes <= BUNDLE_BUDGET_BYTES,
    });
  }
  return out.sort((a, b) => a.functionId.localeCompare(b.functionId));
}

export type { BundleSize };
export { BUNDLE_BUDGET_BYTES, bundleSizes };
