import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type Billing, DEFAULT_CAPACITY, type ProvisionedCapacity } from './capacity.js';
import { adminOnlyKeyPolicy, useThroughService } from './key-policy.js';

/**
 * The list index: gsi1pk/gsi1sk, projecting only the keys and `type` (the events list filters on it), so
 * a write that changes no key and no `type` — a delivery's outcome and every later state update — does
 * not write the index. Lists read the full items after the query (store/table.ts `queryGsi1Page`).
 */
const LIST_INDEX = 'gsi1k';
/** The index of stacks deployed before: same keys, projection ALL (every delivery update rewrote it). */
const LEGACY_INDEX = 'gsi1';

/**
 * Upgrading a stack that has `gsi1` (DynamoDB cannot change a projection in place, and CloudFormation
 * creates or deletes one index per update): `query` adds `gsi1k` while the functions keep querying
 * `gsi1`; once `gsi1k` is ACTIVE, `keep` switches them to `gsi1k`; then no value deletes `gsi1`.
 */
type LegacyGsi1 = 'query' | 'keep';

interface HeraldTablesProps {
  /** @default RemovalPolicy.RETAIN — events, endpoints and keys outlive a stack deletion. */
  readonly removalPolicy?: RemovalPolicy;
  /** Keep the old `gsi1` index during an upgrade (context `herald:legacyGsi1`). @default none */
  readonly legacyGsi1?: LegacyGsi1;
  /** Context `herald:billing` (lib/capacity.ts). @default 'on-demand' */
  readonly billing?: Billing;
  /** Provisioned mode only: each table's (and index's) auto-scaling range. @default DEFAULT_CAPACITY */
  readonly capacity?: ProvisionedCapacity;
}

const listIndexes = new WeakMap<ITable, string>();

/** The index the functions query for lists (their `HERALD_LIST_INDEX`) on a table HeraldTables made. */
function listIndexOf(table: ITable): string {
  return listIndexes.get(table) ?? LIST_INDEX;
}

/**
 * Herald's two tables (layout in docs/internals.md): the main single table, encrypted with a
 * customer-managed KMS key because it holds endpoint signing secrets, and the Powertools idempotency
 * table. Both have TTL and point-in-time recovery, and are on-demand unless `billing` is
 * `provisioned` (lib/capacity.ts): then every table and index auto-scales and alarms on throttling.
 */
class HeraldTables extends Construct {
  readonly main: Table;
  readonly idempotency: Table;
  readonly key: Key;
  readonly billing: Billing;
  /** Provisioned mode: read and write throttling alarms per table (the stack wires their actions). */
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: HeraldTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.billing = props.billing ?? 'on-demand';
    const capacity = props.capacity ?? DEFAULT_CAPACITY;
    const provisioned = this.billing === 'provisioned';
    // Provisioned: start at the minimum; auto-scaling (below) moves it. Switching back is a deploy
    // without the context (docs/internals.md "Provisioned capacity"); DynamoDB allows one switch a day.
    const billingProps = provisioned
      ? {
          billingMode: BillingMode.PROVISIONED,
          readCapacity: capacity.minReadCapacity,
          writeCapacity: capacity.minWriteCapacity,
        }
      : { billingMode: BillingMode.PAY_PER_REQUEST };
    const indexCapacity = provisioned
      ? { readCapacity: capacity.minReadCapacity, writeCapacity: capacity.minWriteCapacity }
      : {};

    this.key = new Key(this, 'TableKey', {
      description: 'Herald tables: endpoint secrets, events, deliveries, idempotency records',
      enableKeyRotation: true,
      removalPolicy,
      policy: adminOnlyKeyPolicy(),
    });
    // Used by DynamoDB on behalf of the functions granted the table (lib/access.ts), never directly.
    this.key.addToResourcePolicy(
      useThroughService(this, 'dynamodb', [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:DescribeKey',
        'kms:CreateGrant',
      ]),
    );

    this.main = new Table(this, 'Main', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      ...billingProps,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy,
    });
    if (props.legacyGsi1 !== undefined) {
      this.main.addGlobalSecondaryIndex({
        indexName: LEGACY_INDEX,
        partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
        sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
        ...indexCapacity,
      });
    }
    this.main.addGlobalSecondaryIndex({
      indexName: LIST_INDEX,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['type'],
      ...indexCapacity,
    });
    listIndexes.set(this.main, props.legacyGsi1 === 'query' ? LEGACY_INDEX : LIST_INDEX);

    this.idempotency = new Table(this, 'Idempotency', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      ...billingProps,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy,
    });

    if (provisioned) {
      const indexes = [...(props.legacyGsi1 !== undefined ? [LEGACY_INDEX] : []), LIST_INDEX];
      this.autoScale(this.main, capacity, indexes);
      this.autoScale(this.idempotency, capacity, []);
    }
  }

  /** Target tracking on reads and writes of the table and each index, and an alarm on throttling. */
  private autoScale(table: Table, capacity: ProvisionedCapacity, indexes: readonly string[]): void {
    const target = { targetUtilizationPercent: capacity.targetUtilizationPercent };
    const reads = { minCapacity: capacity.minReadCapacity, maxCapacity: capacity.maxReadCapacity };
    const writes = { minCapacity: capacity.minWriteCapacity, maxCapacity: capacity.maxWriteCapacity };
    table.autoScaleReadCapacity(reads).scaleOnUtilization(target);
    table.autoScaleWriteCapacity(writes).scaleOnUtilization(target);
    for (const index of indexes) {
      table.autoScaleGlobalSecondaryIndexReadCapacity(index, reads).scaleOnUtilization(target);
      table.autoScaleGlobalSecondaryIndexWriteCapacity(index, writes).scaleOnUtilization(target);
    }
    // A throttled write is retried by the SDK and, failing that, by SQS (nothing is lost), but it
    // means the ceiling or the scaling speed is too low for the traffic: raise maxWriteCapacity or
    // go back to on-demand (runbooks/queue-stuck.md).
    const period = Duration.minutes(1);
    const throttles = (name: string) => table.metric(name, { statistic: 'Sum', period });
    const indexThrottles = indexes.map((index, i) => ({
      [`i${i}`]: table.metric('WriteThrottleEvents', {
        statistic: 'Sum',
        period,
        dimensionsMap: { TableName: table.tableName, GlobalSecondaryIndexName: index },
      }),
    }));
    const metric = new MathExpression({
      expression: ['r', 'w', ...indexes.map((_, i) => `i${i}`)].join(' + '),
      usingMetrics: {
        r: throttles('ReadThrottleEvents'),
        w: throttles('WriteThrottleEvents'),
        ...Object.assign({}, ...indexThrottles),
      },
      period,
      label: 'throttled requests',
    });
    this.alarms.push(
      new Alarm(table, 'ThrottleAlarm', {
        alarmDescription: `Requests to ${table.node.path} throttled (provisioned capacity): see runbooks/queue-stuck.md`,
        metric,
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

export type { HeraldTablesProps, LegacyGsi1 };
export { HeraldTables, LIST_INDEX, listIndexOf };
