import { Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, type IPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * KMS key policies that do not hand the key's use to every IAM principal of the account (the
 * account-root `kms:*` default would let any role with a broad `kms:Decrypt` open what the key
 * protects). The account keeps administering the key; using it takes a statement of its own.
 */

/** Managing the key, never using it: no Decrypt, Encrypt, GenerateDataKey, ReEncrypt or CreateGrant. */
const ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** The policy every Herald key starts from: the account administers it, nobody uses it yet. */
function adminOnlyKeyPolicy(): PolicyDocument {
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'AccountAdministersNotUses',
        principals: [new AccountRootPrincipal()],
        actions: ADMIN_ACTIONS,
        resources: ['*'],
      }),
    ],
  });
}

/**
 * Use of the key by this account's principals only through `service` (`dynamodb`, `sns`), as the AWS
 * managed keys do: a principal that may read the table or publish to the topic may use the key for
 * that, and for nothing else.
 */
function useThroughService(scope: Construct, service: string, actions: readonly string[]): PolicyStatement {
  const stack = Stack.of(scope);
  return new PolicyStatement({
    sid: `UseThrough${service[0]!.toUpperCase()}${service.slice(1)}`,
    principals: [new AccountRootPrincipal()],
    actions: [...actions],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'kms:ViaService': `${service}.${stack.region}.amazonaws.com`,
        'kms:CallerAccount': stack.account,
      },
    },
  });
}

/** Use of the key by one named principal (a function's role), with the conditions given. */
function useByPrincipal(
  principal: IPrincipal,
  actions: readonly string[],
  conditions: Record<string, unknown>,
): PolicyStatement {
  return new PolicyStatement({
    principals: [principal],
    actions: [...actions],
    resources: ['*'],
    conditions,
  });
}

export { adminOnlyKeyPolicy, useByPrincipal, useThroughService };
