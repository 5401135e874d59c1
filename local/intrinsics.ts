// Resolves CloudFormation intrinsic functions against the names, ARNs and URLs of the local emulators.
import { AssemblyError } from './template.js';

export interface LocalResource {
  /** What `Ref` returns for this resource (queue URL, topic ARN, table name, function name...). */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute name (Arn, QueueName, QueueUrl...). */
  readonly attrs: Readonly<Record<string, string>>;
}

export interface ResolveContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly resources: ReadonlyMap<string, LocalResource>;
}

class UnresolvableError extends AssemblyError {
  override readonly code: string = 'local_unresolvable';
}

function pseudo(name: string, ctx: ResolveContext): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/local`;
    case 'AWS::NoValue':
      return undefined;
    default:
      return undefined;
  }
}

function ref(name: string, ctx: ResolveContext): string {
  const p = pseudo(name, ctx);
  if (p !== undefined) return p;
  const r = ctx.resources.get(name);
  if (r === undefined) throw new UnresolvableError(`Ref to ${name}: not a resource the local runtime plays`);
  return r.ref;
}

function getAtt(logicalId: string, attr: string, ctx: ResolveContext): string {
  const r = ctx.resources.get(logicalId);
  const value = r?.attrs[attr];
  if (value === undefined) throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attr}: unknown locally`);
  return value;
}

function sub(template: string, vars: Record<string, unknown>, ctx: ResolveContext): string {
  return template.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
    if (name in vars) return String(vars[name]);
    const dot = name.indexOf('.');
    return dot > 0 ? getAtt(name.slice(0, dot), name.slice(dot + 1), ctx) : ref(name, ctx);
  });
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new UnresolvableError(`${what} did not resolve to a string`);
  return value;
}

/** Deep-resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::ToJsonString in `value`. */
export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined) {
    const [key, arg] = first;
    switch (key) {
      case 'Ref':
        return ref(asString(arg, 'Ref'), ctx);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
        return getAtt(asString(id, 'GetAtt id'), asString(resolveValue(attr, ctx), 'GetAtt attribute'), ctx);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        const resolved = resolveValue(parts, ctx) as unknown[];
        return resolved.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
      }
      case 'Fn::Sub': {
        const [tpl, vars] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [arg as string, {}];
        return sub(tpl, resolveValue(vars, ctx) as Record<string, unknown>, ctx);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = resolveValue(list, ctx) as unknown[];
        return items[Number(resolveValue(index, ctx))];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return asString(resolveValue(source, ctx), 'Fn::Split source').split(sep);
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(resolveValue(arg, ctx));
      default:
        if (key.startsWith('Fn::')) throw new UnresolvableError(`${key} is not supported locally`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, ctx)]));
}

/** Resolves a value that must end up a string (env var, ARN, URL). */
export function resolveString(value: unknown, ctx: ResolveContext): string {
  const resolved = resolveValue(value, ctx);
  return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
}

/** Resolves a map of environment variables; one unresolvable value becomes a marker instead of failing them all. */
export function resolveEnvironment(
  vars: Record<string, unknown> | undefined,
  ctx: ResolveContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars ?? {})) {
    try {
      out[name] = resolveString(value, ctx);
    } catch (error) {
      if (!(error instanceof UnresolvableError)) throw error;
      out[name] = `unresolved-locally:${error.message}`;
    }
  }
  return out;
}
