/**
 * The cloud assemblies the Herald benchmark runs. One synth (cold start-up, measured) into
 * `cdk.out.bench`; variants are copies whose template sets the dispatch function's concurrency and
 * batch size — the only knobs the local runtime reads (pool size = ReservedConcurrentExecutions ≤ 4,
 * pollers = ScalingConfig.MaximumConcurrency ≤ 2, BatchSize). lambdas/ and local/ stay untouched.
 * The directories match the `cdk.out.*` ignore rule in .gitignore and lie inside the project, as the runtime needs.
 */

import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const BASE_OUTDIR = join(ROOT, 'cdk.out.bench');

interface DispatchShape {
  /** Concurrent dispatch invocations asked for (pool size and pollers). */
  readonly consumers: number;
  /** Records per dispatch invocation. @default the template's */
  readonly batchSize?: number;
}

interface CfnResource {
  readonly Type: string;
  Properties?: Record<string, unknown>;
}

interface Template {
  readonly Resources: Record<string, CfnResource>;
}

class AssemblyShapeError extends Error {
  readonly code = 'bench_assembly_shape';
  readonly status = 500;
  readonly retryable = false;
}

function templatePath(outdir: string): string {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stack = Object.values(manifest.artifacts ?? {}).find(
    (a) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile !== undefined,
  );
  if (stack?.properties?.templateFile === undefined)
    throw new AssemblyShapeError(`no stack template in ${outdir}`);
  return join(outdir, stack.properties.templateFile);
}

function readTemplate(outdir: string): Template {
  return JSON.parse(readFileSync(templatePath(outdir), 'utf8')) as Template;
}

/** The dispatch event source mapping and its function, found through the queue it reads. */
function dispatchMapping(template: Template): { mapping: CfnResource; fn: CfnResource; fnId: string } {
  for (const res of Object.values(template.Resources)) {
    if (res.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const fnRef = (res.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref;
    if (fnRef === undefined || !/Dispatch/.test(fnRef)) continue;
    const fn = template.Resources[fnRef];
    if (fn !== undefined) return { mapping: res, fn, fnId: fnRef };
  }
  throw new AssemblyShapeError('no event source mapping for a Dispatch function in the template');
}

/** Copies the base assembly to `cdk.out.bench-<tag>` with the dispatch shape applied; returns its path. */
function dispatchVariant(shape: DispatchShape): string {
  const tag = `c${shape.consumers}${shape.batchSize === undefined ? '' : `-b${shape.batchSize}`}`;
  const outdir = `${BASE_OUTDIR}-${tag}`;
  rmSync(outdir, { recursive: true, force: true });
  cpSync(BASE_OUTDIR, outdir, { recursive: true });
  const template = readTemplate(outdir);
  const { mapping, fn } = dispatchMapping(template);
  fn.Properties = { ...fn.Properties, ReservedConcurrentExecutions: shape.consumers };
  mapping.Properties = {
    ...mapping.Properties,
    ScalingConfig: { MaximumConcurrency: shape.consumers },
    ...(shape.batchSize === undefined ? {} : { BatchSize: shape.batchSize }),
  };
  writeFileSync(templatePath(outdir), JSON.stringify(template));
  return outdir;
}

/** The dispatch settings as the template states them (for the report). */
function dispatchSettings(outdir: string): { batchSize: number; maxConcurrency: number | undefined } {
  const { mapping } = dispatchMapping(readTemplate(outdir));
  const p = mapping.Properties ?? {};
  return {
    batchSize: typeof p.BatchSize === 'number' ? p.BatchSize : 10,
    maxConcurrency: (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency,
  };
}

/** Deletes a variant made by dispatchVariant (never the base assembly). */
function removeVariant(outdir: string): void {
  if (outdir.startsWith(`${BASE_OUTDIR}-`)) rmSync(outdir, { recursive: true, force: true });
}

const baseAssemblyExists = (): boolean => existsSync(join(BASE_OUTDIR, 'manifest.json'));

export type { DispatchShape, Template };
export {
  AssemblyShapeError,
  BASE_OUTDIR,
  baseAssemblyExists,
  dispatchMapping,
  dispatchSettings,
  dispatchVariant,
  ROOT,
  readTemplate,
  removeVariant,
  templatePath,
};
