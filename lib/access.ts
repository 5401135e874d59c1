import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * Least-privilege grants written out action by action (docs/internals.md "IAM per function"), instead
 * of `grantReadWriteData` and friends, which hand out Scan, BatchWriteItem, GetQueueUrl and the like to
 * code that never calls them. Each function states what its code calls; test/infra/iam.test.ts holds
 * the same list and fails when the two drift.
 */

/** The DynamoDB item operations Herald's code makes (lib-dynamodb Get/Put/Update/Delete/Query/BatchGet). */
type ItemAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

interface TableAccess {
  /** Operations on the base table (`Query` here means a query of the base table itself). */
  readonly actions: readonly ItemAction[];
  /** Global secondary indexes the function queries. @default none */
  readonly queryIndexes?: readonly string[];
  /**
   * Partition-key patterns the function may touch (`dynamodb:LeadingKeys`, `*` as wildcard), e.g.
   * `APIKEY#*` for the authorizer. Index queries are not allowed together with it. @default any key
   */
  readonly leadingKeys?: readonly string[];
}

const WRITES: ReadonlySet<ItemAction> = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** Grants exactly `access` on `table`, plus the use of its customer-managed key through DynamoDB only. */
function grantTableAccess(grantee: IGrantable, table: ITable, access: TableAccess): void {
  const indexes = access.queryIndexes ?? [];
  if (access.leadingKeys !== undefined && indexes.length > 0) {
    throw new Error(
      'grantTableAccess: leadingKeys restricts base-table keys; do not combine it with index queries',
    );
  }
  if (access.actions.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access.actions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        ...(access.leadingKeys
          ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...access.leadingKeys] } } }
          : {}),
      }),
    );
  }
  if (indexes.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((name) => `${table.tableArn}/index/${name}`),
      }),
    );
  }
  const key = table.encryptionKey;
  if (key !== undefined) {
    // Encryption at rest with a customer-managed key: DynamoDB uses the key on the caller's behalf.
    // kms:ViaService keeps the grant from decrypting anything outside DynamoDB.
    const writes = access.actions.some((a) => WRITES.has(a));
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(table).region}.amazonaws.com` },
        },
      }),
    );
  }
}

/** What a function does with a queue: send to it, or consume it (receive, delete, hide again, inspect). */
type QueueUse = 'send' | 'consume';

const QUEUE_ACTIONS: Readonly<Record<QueueUse, readonly string[]>> = {
  send: ['sqs:SendMessage'],
  consume: [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueAttributes',
  ],
};

/** Grants `use` on every queue in `queues`, as one statement. */
function grantQueues(grantee: IGrantable, use: QueueUse, queues: readonly IQueue[]): void {
  if (queues.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...QUEUE_ACTIONS[use]], resources: queues.map((q) => q.queueArn) }),
  );
}

export type { ItemAction, QueueUse, TableAccess };
export { grantQueues, grantTableAccess };
