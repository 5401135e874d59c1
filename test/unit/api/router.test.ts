import { describe, expect, it } from 'vitest';
import { matchPath } from '../../../lambdas/api/router.js';
import { rotatedSecrets } from '../../../lambdas/api/routes/endpoints.js';

describe('matchPath', () => {
  it('extracts decoded parameters', () => {
    expect(matchPath('/v1/endpoints/{id}', '/v1/endpoints/ep_1')).toEqual({ id: 'ep_1' });
    expect(matchPath('/v1/dlq/{name}/messages', '/v1/dlq/a%20b/messages')).toEqual({ name: 'a b' });
  });

  it('tolerates a trailing slash and rejects other shapes', () => {
    expect(matchPath('/v1/keys', '/v1/keys/')).toEqual({});
    expect(matchPath('/v1/endpoints/{id}', '/v1/endpoints')).toBeUndefined();
    expect(matchPath('/v1/endpoints/{id}', '/v1/endpoints/a/b')).toBeUndefined();
    expect(matchPath('/v1/endpoints/{id}', '/v1/endpoints/%E0%A4%A')).toBeUndefined();
  });
});

describe('rotatedSecrets', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const nowSeconds = now.getTime() / 1000;

  it('puts the new secret first and gives the old ones the grace period', () => {
    process.env.HERALD_SECRET_GRACE_SECONDS = '600';
    const result = rotatedSecrets([{ secret: 'whsec_old', createdAt: 'x' }], 'whsec_new', now);
    expect(result).toEqual([
      { secret: 'whsec_new', createdAt: now.toISOString() },
      { secret: 'whsec_old', createdAt: 'x', expiresAt: nowSeconds + 600 },
    ]);
  });

  it('drops expired secrets and never extends an earlier expiry', () => {
    process.env.HERALD_SECRET_GRACE_SECONDS = '600';
    const result = rotatedSecrets(
      [
        { secret: 'a', createdAt: 'x', expiresAt: nowSeconds + 60 },
        { secret: 'b', createdAt: 'x', expiresAt: nowSeconds - 1 },
      ],
      'c',
      now,
    );
    expect(result.map((s) => [s.secret, s.expiresAt])).toEqual([
      ['c', undefined],
      ['a', nowSeconds + 60],
    ]);
  });
});
