import { describe, expect, it } from 'vitest';
import { matchPath } from '../../../lambdas/api/router.js';

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
