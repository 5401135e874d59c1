// Turns the template's Lambda functions into local function specs (asset, handler, resolved environment).
import { type EmulatorEndpoints, emulatorEnvironment } from './env.js';
import { type LocalResource, type ResolveContext, resolveEnvironment, resolveString } from './intrinsics.js';
import type { FunctionSpec } from './lambda-pool.js';
import { type CloudAssembly, functionAssetDir, generatedName, resourcesOfType } from './template.js';

/**
 * Worker threads per function (a reserved concurrency below it wins). Each is a V8 isolate that compiles
 * and collects its own copy of the SDK, so on a small machine fewer isolates leave more CPU for the
 * work: 2 from measurements (docs/benchmarks.md: pool 2 delivered more than pool 4 in every round, and
 * the profiling study behind issue 14 found 1.15×). Pollers follow (at most the pool size).
 */
const DEFAULT_POOL_SIZE = 2;

/** Registers every function's name and ARN for intrinsic resolution (before environments are resolved). */
export function registerFunctions(
  assembly: CloudAssembly,
  ctx: ResolveContext & { resources: Map<string, LocalResource> },
): void {
  for (const [id, res] of resourcesOfType(assembly, 'AWS::Lambda::Function')) {
    const props = res.Properties ?? {};
    const name =
      props.FunctionName === undefined
        ? generatedName(assembly.stackName, id, 64)
        : resolveString(props.FunctionName, ctx);
    const arn = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
    ctx.resources.set(id, { ref: name, attrs: { Arn: arn } });
  }
}

/** Specs for the functions the runtime can run (those with a staged asset); the others are reported. */
export function functionSpecs(
  assembly: CloudAssembly,
  ctx: ResolveContext,
  endpoints: EmulatorEndpoints,
  extraEnv: Record<string, string>,
  poolSize: number = DEFAULT_POOL_SIZE,
): { specs: FunctionSpec[]; skipped: string[] } {
  const specs: FunctionSpec[] = [];
  const skipped: string[] = [];
  for (const [id, res] of resourcesOfType(assembly, 'AWS::Lambda::Function')) {
    const props = res.Properties ?? {};
    const assetDir = functionAssetDir(assembly, id);
    const local = ctx.resources.get(id);
    if (assetDir === undefined || local === undefined || typeof props.Handler !== 'string') {
      skipped.push(id);
      continue;
    }
    const own = resolveEnvironment(
      (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
      ctx,
    );
    const reserved =
      typeof props.ReservedConcurrentExecutions === 'number' ? props.ReservedConcurrentExecutions : poolSize;
    specs.push({
      logicalId: id,
      name: local.ref,
      arn: local.attrs.Arn ?? '',
      assetDir,
      handler: props.Handler,
      environment: {
        ...own,
        ...emulatorEnvironment(endpoints, ctx.region),
        AWS_LAMBDA_FUNCTION_NAME: local.ref,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(props.MemorySize ?? 128),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${local.ref}`,
        ...extraEnv,
        // Node options of the host (e.g. the tsx loader) must not leak into the bundles.
        NODE_OPTIONS: own.NODE_OPTIONS ?? '',
      },
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
      memoryMb: typeof props.MemorySize === 'number' ? props.MemorySize : 128,
      maxConcurrency: Math.max(1, Math.min(poolSize, reserved)),
    });
  }
  return { specs, skipped };
}
