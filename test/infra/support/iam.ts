import type { Template } from 'aws-cdk-lib/assertions';
import { referencedId, resourceNamed, resourcesOf } from './template.js';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
  readonly Effect: string;
}

/** One granted action on one resource, written readably: `dynamodb:Query TablesMain/index/gsi1`. */
interface Grant {
  readonly action: string;
  readonly resource: string;
  readonly condition?: Record<string, unknown>;
}

/** A logical id without CDK's 8-character hash suffix. */
function stripHash(id: string): string {
  return id.replace(/[0-9A-F]{8}$/, '');
}

/** A policy resource as text: a token becomes its logical id's prefix, `Fn::Join` parts are joined. */
function describeResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const id = referencedId(value);
  if (id !== undefined) return stripHash(id);
  const join = (value as Record<string, unknown> | null)?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    return (join[1] as unknown[]).map((part) => describeResource(part)).join(String(join[0]));
  }
  return JSON.stringify(value);
}

/** Every Allow statement of the policies attached to the role `rolePrefix`, one grant per action × resource. */
function grantsOfRole(template: Template, rolePrefix: string): Grant[] {
  const pattern = new RegExp(`^${rolePrefix}[0-9A-F]{8}$`);
  const grants: Grant[] = [];
  for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    const roles = (policy.Roles as unknown[] | undefined) ?? [];
    if (!roles.some((r) => pattern.test(referencedId(r) ?? ''))) continue;
    for (const s of (policy.PolicyDocument as { Statement: Statement[] }).Statement) {
      if (s.Effect !== 'Allow') continue;
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      for (const action of actions) {
        for (const resource of resources) {
          grants.push({
            action,
            resource: describeResource(resource),
            ...(s.Condition ? { condition: s.Condition } : {}),
          });
        }
      }
    }
  }
  return grants;
}

/** The role logical-id prefix of the function `functionPrefix` (its `Role` is a GetAtt of the role). */
function roleOfFunction(template: Template, functionPrefix: string): string {
  const fn = resourceNamed(template, 'AWS::Lambda::Function', functionPrefix);
  const id = referencedId(fn.Role);
  if (id === undefined) throw new Error(`${functionPrefix} has no role reference`);
  return stripHash(id);
}

/** `action resource` lines, sorted, for exact comparison. */
function grantLines(grants: readonly Grant[]): string[] {
  return [...new Set(grants.map((g) => `${g.action} ${g.resource}`))].sort();
}

/** Managed policies attached to the role (none expected: everything is inline and explicit). */
function managedPoliciesOf(template: Template, rolePrefix: string): unknown[] {
  const role = resourceNamed(template, 'AWS::IAM::Role', rolePrefix);
  return (role.ManagedPolicyArns as unknown[] | undefined) ?? [];
}

export type { Grant };
export { grantLines, grantsOfRole, managedPoliciesOf, roleOfFunction };
