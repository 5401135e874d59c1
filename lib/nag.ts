import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions rules, run over the app by test/infra/nag.test.ts) suppressions, written where
 * the resource is made, each with its reason. This writes the `cdk_nag` metadata cdk-nag reads (the same
 * format as its `NagSuppressions.addResourceSuppressions`), so lib/ needs no runtime dependency on it.
 */
interface NagSuppression {
  /** Rule id, e.g. `AwsSolutions-APIG4`. */
  readonly id: string;
  /** Why the finding does not apply here (at least 10 characters; ASCII). */
  readonly reason: string;
  /** For granular rules (IAM4, IAM5): the findings suppressed, exactly or by `{ regex: '/.../' }`. */
  readonly appliesTo?: ReadonlyArray<string | { readonly regex: string }>;
}

function suppressNag(construct: IConstruct, suppressions: readonly NagSuppression[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(
      `suppressNag: ${construct.node.path} is not (and has no default child that is) a CfnResource`,
    );
  }
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)
    ?.rules_to_suppress;
  const rules = suppressions.map((s) => {
    if (s.reason.length < 10 || /[^\x20-\x7e]/.test(s.reason)) {
      throw new Error(`suppressNag ${s.id}: give an ASCII reason of 10 characters or more`);
    }
    return { id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: [...s.appliesTo] } : {}) };
  });
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...(existing ?? []), ...rules] });
}

export type { NagSuppression };
export { suppressNag };
