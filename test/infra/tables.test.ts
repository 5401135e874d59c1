import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHerald, referencedId, resourceNamed, resourcesOf } from './support/template.js';

describe('tables', () => {
  let template: Template;
  let main: Record<string, unknown>;
  let idempotency: Record<string, unknown>;

  beforeAll(() => {
    template = buildHerald();
    main = resourceNamed(template, 'AWS::DynamoDB::Table', 'TablesMain');
    idempotency = resourceNamed(template, 'AWS::DynamoDB::Table', 'TablesIdempotency');
  });

  it('are the main table and the idempotency table', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });

  it('key the main table on pk/sk with the gsi1 index, projection ALL', () => {
    expect(main.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(main.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(idempotency.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
  });

  it('expire items through TTL: expiresAt on main, expiration (Powertools) on idempotency', () => {
    expect(main.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(idempotency.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
  });

  it('have point-in-time recovery, on-demand billing and KMS encryption with the stack key', () => {
    const [keyId] = resourcesOf(template, 'AWS::KMS::Key')[0]!;
    for (const [name, table] of [
      ['main', main],
      ['idempotency', idempotency],
    ] as const) {
      expect(table.PointInTimeRecoverySpecification, name).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.BillingMode, name).toBe('PAY_PER_REQUEST');
      const sse = table.SSESpecification as { SSEEnabled: boolean; SSEType: string; KMSMasterKeyId: unknown };
      expect(sse.SSEEnabled, name).toBe(true);
      expect(sse.SSEType, name).toBe('KMS');
      expect(referencedId(sse.KMSMasterKeyId), name).toBe(keyId);
    }
  });

  it('use a rotating key, and outlive a stack deletion', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const raw = template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    for (const resource of Object.values(raw)) {
      if (resource.Type === 'AWS::DynamoDB::Table' || resource.Type === 'AWS::KMS::Key') {
        expect(resource.DeletionPolicy).toBe('Retain');
      }
    }
  });
});
