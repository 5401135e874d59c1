/**
 * Signing secrets as an attacker with a copy of the table would see them, and rotation as a receiver
 * lives it (issue 10 item 7, issue 9 item 5): no plaintext secret in the table; during the grace
 * period every webhook verifies with the old and the new secret; a third active secret is refused;
 * `expireCurrentNow` stops the old secret at once.
 */
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createEndpoint, publishOk, uniqueTenant, verifyWithLibrary } from '../support/fixtures.js';
import { rememberSecret } from '../support/receiver.js';
import { recordHostile } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable, requireLocal, skipReason } from '../support/target.js';
import { waitUntil } from '../support/wait.js';

const ctx = useHerald();

interface Rotated {
  readonly id: string;
  readonly secret: string;
  readonly previousSecretExpiresAt?: string;
}

describe.skipIf(receiverUnreachable('secrets'))('endpoint signing secrets', () => {
  it('signs with both secrets after a rotation, refuses a third, and drops the old one on expireCurrentNow', async () => {
    const tenantId = uniqueTenant('rot');
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('rot'),
      eventTypes: ['*'],
    });
    const rotated = await ctx.api.post<Rotated>(`/v1/endpoints/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    rememberSecret(endpoint.url, rotated.body.secret);

    await publishOk(ctx.api, { type: 'rotation.check', tenantId, data: { n: 1 } });
    const [first] = await waitUntil(
      () => ctx.receiver.accepted('rot'),
      (r) => r.length >= 1,
      {
        timeoutMs: 60_000,
        description: 'the webhook after rotation',
      },
    );
    expect(verifyWithLibrary(endpoint.secret, first!)).toBeDefined();
    expect(verifyWithLibrary(rotated.body.secret, first!)).toBeDefined();

    const third = await ctx.api.post<{ code?: string }>(`/v1/endpoints/${endpoint.id}/rotate-secret`);
    recordHostile({
      category: 'secrets',
      case: 'a third active secret (rotate twice within the grace period)',
      status: third.status,
      code: third.body.code,
      nothingStored: undefined,
    });
    expect(third.status).toBe(403);
    expect(third.body).toMatchObject({ code: 'limit_exceeded', limit: 2 });

    const leaked = await ctx.api.post<Rotated>(`/v1/endpoints/${endpoint.id}/rotate-secret`, {
      expireCurrentNow: true,
    });
    expect(leaked.status).toBe(200);
    rememberSecret(endpoint.url, leaked.body.secret);
    // Dispatchers reuse a tenant's endpoint list for up to HERALD_ENDPOINT_CACHE_SECONDS (5 s,
    // lambdas/shared/store/endpoint-cache.ts): an event dispatched after that signs with the new secret only.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await publishOk(ctx.api, { type: 'rotation.check', tenantId, data: { n: 2 } });
    const after = await waitUntil(
      () => ctx.receiver.accepted('rot'),
      (r) => r.length >= 2,
      {
        timeoutMs: 60_000,
        description: 'the webhook after expireCurrentNow',
      },
    );
    const second = after.find((w) => w !== first)!;
    for (const [label, secret] of [
      ['the rotated-out secret', rotated.body.secret],
      ['the original secret', endpoint.secret],
    ] as const) {
      let rejectedWith: string | undefined;
      try {
        verifyWithLibrary(secret, second);
      } catch (error) {
        rejectedWith = (error as Error).name;
      }
      recordHostile({
        category: 'signatures',
        case: `webhook after expireCurrentNow, verified by standardwebhooks with ${label}`,
        status: undefined,
        code: rejectedWith ?? 'verified (not rejected)',
        nothingStored: undefined,
      });
    }
    expect(verifyWithLibrary(leaked.body.secret, second)).toBeDefined();
    expect(() => verifyWithLibrary(rotated.body.secret, second)).toThrow();
    expect(() => verifyWithLibrary(endpoint.secret, second)).toThrow();
  });

  it.skipIf(skipReason('no plaintext secret in the table', 'the local runtime (raw table scan)'))(
    'the local table holds no whsec_ anywhere (the local key service plays the secrets key)',
    async () => {
      const tenantId = uniqueTenant('rest');
      const created = await createEndpoint(ctx.api, {
        tenantId,
        url: ctx.receiver.url('rest'),
        eventTypes: ['*'],
      });
      await ctx.api.post(`/v1/endpoints/${created.id}/rotate-secret`);
      const { runtime } = requireLocal(ctx.target);
      const dynamo = new DynamoDBClient({
        endpoint: runtime.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      const items: unknown[] = [];
      const { TableNames = [] } = await dynamo.send(new ListTablesCommand({}));
      for (const TableName of TableNames) {
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await dynamo.send(
            new ScanCommand({ TableName, ExclusiveStartKey: ExclusiveStartKey as never }),
          );
          items.push(...(page.Items ?? []));
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey !== undefined);
      }
      dynamo.destroy();
      const dump = JSON.stringify(items);
      recordHostile({
        category: 'secrets',
        case: `scan of every local table (${items.length} items) for whsec_ and the endpoint's secret`,
        status: undefined,
        code: undefined,
        nothingStored: !dump.includes('whsec_') && !dump.includes(created.secret.slice('whsec_'.length)),
      });
      expect(dump).toContain(created.id);
      expect(dump).not.toContain('whsec_');
      expect(dump).not.toContain(created.secret.slice('whsec_'.length));
    },
  );
});
