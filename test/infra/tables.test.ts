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

  it('key the main table on pk/sk with the list index gsi1k: gsi1pk/gsi1sk, keys and type only', () => {
    expect(main.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    // Not ALL: a delivery's state updates change no projected attribute, so they do not write the index.
    expect(main.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'gsi1k',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type'] },
      },
    ]);
    expect(idempotency.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
  });

  it('project no attribute that a delivery item has: its updates leave the index alone', () => {
    const indexes = main.GlobalSecondaryIndexes as Array<{ Projection: { NonKeyAttributes?: string[] } }>;
    // docs/internals.md "Main table", the delivery row (attempt 1 is folded into it).
    const delivery = [
      'eventId',
      'endpointId',
      'tenantId',
      'state',
      'generation',
      'attempts',
      'lastStatusCode',
      'lastError',
      'nextAttemptAt',
      'deliveredAt',
      'deadLetteredAt',
      'claimedUntil',
      'createdAt',
      'updatedAt',
      'expiresAt',
      'firstAttempts',
    ];
    for (const index of indexes) {
      expect(index.Projection.NonKeyAttributes?.filter((a) => delivery.includes(a)) ?? []).toEqual([]);
    }
  });

  it('upgrade a stack that has gsi1 in three deploys: query (both, functions on gsi1), keep (both, functions on gsi1k), none', () => {
    const names = (t: Template) =>
      (
        resourceNamed(t, 'AWS::DynamoDB::Table', 'TablesMain').GlobalSecondaryIndexes as Array<{
          IndexName: string;
        }>
      ).map((i) => i.IndexName);
    const listIndexEnv = (t: Template) => {
      const fns = t.findResources('AWS::Lambda::Function') as Record<
        string,
        { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
      >;
      return [
        ...new Set(
          Object.values(fns).flatMap((f) => f.Properties.Environment?.Variables?.HERALD_LIST_INDEX ?? []),
        ),
      ];
    };
    const query = buildHerald({ legacyGsi1: 'query' });
    expect(names(query)).toEqual(['gsi1', 'gsi1k']);
    expect(listIndexEnv(query)).toEqual(['gsi1']);
    const keep = buildHerald({ legacyGsi1: 'keep' });
    expect(names(keep)).toEqual(['gsi1', 'gsi1k']);
    expect(listIndexEnv(keep)).toEqual(['gsi1k']);
    expect(names(template)).toEqual(['gsi1k']);
    expect(listIndexEnv(template)).toEqual(['gsi1k']);
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
