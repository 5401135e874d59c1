import { RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { adminOnlyKeyPolicy, useByPrincipal } from './key-policy.js';

/** Must equal ENCRYPTION_CONTEXT in lambdas/secrets/data-keys.ts. */
const PURPOSE = 'endpoint-signing-secret';

interface SecretsKeyProps {
  /** @default RemovalPolicy.RETAIN — without the key, every stored signing secret is lost. */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The KMS key of endpoint signing secrets (envelope encryption: adrs/0006-envelope-encrypted-signing-secrets.md).
 * Its own key, not the table's, so that reading the table is not enough to read a secret: only the
 * functions granted here can unwrap a data key, and only for the signing-secret purpose.
 */
class SecretsKey extends Construct {
  readonly key: Key;
  /** What a function that opens or seals secrets needs in its environment. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SecretsKeyProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Herald endpoint signing secrets (wraps the data keys that seal them)',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // The account administers the key; only the functions granted below may use it.
      policy: adminOnlyKeyPolicy(),
    });
    this.environment = { HERALD_SECRETS_KEY_ID: this.key.keyArn };
  }

  /** Opening secrets to sign with them: kms:Decrypt of data keys made for this purpose. */
  grantOpen(grantee: IGrantable): void {
    this.grant(grantee, ['kms:Decrypt']);
  }

  /** Creating and rotating secrets: a data key to seal with, and opening stored ones. */
  grantSealAndOpen(grantee: IGrantable): void {
    this.grant(grantee, ['kms:GenerateDataKey', 'kms:Decrypt']);
  }

  /** In the role's policy and in the key's: the key policy names each user, so IAM alone cannot. */
  private grant(grantee: IGrantable, actions: string[]): void {
    const conditions = { StringEquals: { 'kms:EncryptionContext:herald:purpose': PURPOSE } };
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions, resources: [this.key.keyArn], conditions }),
    );
    this.key.addToResourcePolicy(useByPrincipal(grantee.grantPrincipal, actions, conditions));
  }
}

export type { SecretsKeyProps };
export { SecretsKey };
