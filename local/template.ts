// Reads a synthesized cloud assembly (cdk.out): the one source of truth for the local topology.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CfnValue = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, CfnValue>;
  readonly Metadata?: Record<string, CfnValue>;
}

export interface CloudAssembly {
  readonly outdir: string;
  readonly stackName: string;
  readonly resources: Readonly<Record<string, CfnResource>>;
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string };
}

export class AssemblyError extends Error {
  readonly code: string = 'local_assembly_invalid';
  readonly status = 500;
  readonly retryable = false;
}

/** Loads the first (or the named) CloudFormation stack of the assembly in `outdir`. */
export function loadAssembly(outdir: string, stackName?: string): CloudAssembly {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(
    ([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile !== undefined,
  );
  const chosen =
    stackName === undefined
      ? stacks[0]
      : stacks.find(([id, a]) => id === stackName || a.properties?.stackName === stackName);
  if (chosen === undefined)
    throw new AssemblyError(`no CloudFormation stack${stackName ? ` named ${stackName}` : ''} in ${outdir}`);
  const [artifactId, artifact] = chosen;
  const template = JSON.parse(
    readFileSync(join(outdir, artifact.properties?.templateFile ?? ''), 'utf8'),
  ) as {
    Resources?: Record<string, CfnResource>;
  };
  return {
    outdir,
    stackName: artifact.properties?.stackName ?? artifactId,
    resources: template.Resources ?? {},
  };
}

/** The resources of one CloudFormation type, as [logicalId, resource] pairs. */
export function resourcesOfType(assembly: CloudAssembly, type: string): Array<[string, CfnResource]> {
  return Object.entries(assembly.resources).filter(([, r]) => r.Type === type);
}

/** Physical-name stand-in for resources without an explicit name (CloudFormation would generate one). */
export function generatedName(stackName: string, logicalId: string, maxLength = 80): string {
  return `${stackName}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, maxLength);
}

/** Directory of a Lambda function's staged asset (from the `aws:asset:path` metadata CDK writes). */
export function functionAssetDir(assembly: CloudAssembly, logicalId: string): string | undefined {
  const resource = assembly.resources[logicalId];
  const assetPath = resource?.Metadata?.['aws:asset:path'];
  if (typeof assetPath === 'string') return join(assembly.outdir, assetPath);
  // Without asset metadata (synth outside the CLI), the S3 key is the asset hash: cdk.out/asset.<hash>.
  const key = (resource?.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
  const hash = typeof key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(key)?.[1] : undefined;
  const dir = hash === undefined ? undefined : join(assembly.outdir, `asset.${hash}`);
  return dir !== undefined && existsSync(dir) ? dir : undefined;
}
