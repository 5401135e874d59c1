import { RemovalPolicy } from 'aws-cdk-lib';
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
}

const listIndexes = new WeakMap<ITable, string>();

/** The index the functions query for lists (their `HERALD_LIST_INDEX`) on a table HeraldTables made. */
function listIndexOf(table: ITable): string {
  return listIndexes.get(table) ?? LIST_INDEX;
}

/**
 * Herald's two tables (layout in docs/internals.md): the main single table, encrypted with a
 * customer-managed KMS key because it holds endpoint signing secrets, and the Powertools idempotency
 * table. Both have TTL and point-in-time recovery.
 */
class HeraldTables extends Construct {
  readonly main: Table;
  readonly idempotency: Table;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: HeraldTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new Key(this, 'TableKey', {
      description: 'Herald tables: endpoint secrets, events, deliveries, idempotency records',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.main = new Table(this, 'Main', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
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
      });
    }
    this.main.addGlobalSecondaryIndex({
      indexName: LIST_INDEX,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['type'],
    });
    listIndexes.set(this.main, props.legacyGsi1 === 'query' ? LEGACY_INDEX : LIST_INDEX);

    this.idempotency = new Table(this, 'Idempotency', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy,
    });
  }
}

export type { HeraldTablesProps, LegacyGsi1 };
export { HeraldTables, LIST_INDEX, listIndexOf };
