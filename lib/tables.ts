import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

interface HeraldTablesProps {
  /** @default RemovalPolicy.RETAIN — events, endpoints and keys outlive a stack deletion. */
  readonly removalPolicy?: RemovalPolicy;
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
    this.main.addGlobalSecondaryIndex({
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

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

export type { HeraldTablesProps };
export { HeraldTables };
