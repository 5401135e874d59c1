import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_SESSION_SECONDS,
  exchangeDecision,
  generateLinkToken,
  generateSessionToken,
  isLoopbackHttp,
  linkLifetime,
  parseLinkId,
  parseMaxSessionSeconds,
  parseSessionId,
  readCookie,
  sessionCookie,
  sessionDecision,
} from '../../../lambdas/portal/tokens.js';
import { hashApiKey } from '../../../lambdas/shared/apikeys.js';

const NOW = 1_800_000_000;
const link = generateLinkToken();
const session = generateSessionToken(link.id);
const fresh = { tenantId: 't_1', linkHash: link.hash, expiresAt: NOW + 60 };
const exchanged = { ...fresh, sessionHash: session.hash };

describe('tokens', () => {
  it('shapes link and session tokens around one link id, and parses only its own kind', () => {
    expect(link.token).toMatch(/^hpl_[0-9a-z]{16}_[\w-]{43}$/);
    expect(session.token).toMatch(/^hps_[0-9a-z]{16}_[\w-]{43}$/);
    expect(parseLinkId(link.token)).toBe(link.id);
    expect(parseSessionId(session.token)).toBe(link.id);
    expect(parseLinkId(session.token)).toBeUndefined();
    expect(parseSessionId(link.token)).toBeUndefined();
    expect(link.hash).toBe(hashApiKey(link.token));
  });
});

describe('exchangeDecision', () => {
  it.each([
    ['unknown link', undefined, link.hash, NOW, 'link_invalid'],
    ['wrong token', fresh, hashApiKey('other'), NOW, 'link_invalid'],
    ['fresh link', fresh, link.hash, NOW, 'ok'],
    ['last second', fresh, link.hash, NOW + 59, 'ok'],
    ['at expiry', fresh, link.hash, NOW + 60, 'link_expired'],
    ['already exchanged', exchanged, link.hash, NOW, 'link_used'],
    ['exchanged and expired', exchanged, link.hash, NOW + 61, 'link_expired'],
  ] as const)('%s → %s', (_name, state, hash, now, expected) => {
    expect(exchangeDecision(state, hash, now)).toBe(expected);
  });
});

describe('sessionDecision', () => {
  const admin = { role: 'admin' };
  it.each([
    ['revoked (no item)', undefined, session.hash, NOW, admin, 'unknown_session'],
    ['not exchanged yet', fresh, session.hash, NOW, admin, 'unknown_session'],
    ['the link token as a session', exchanged, link.hash, NOW, admin, 'unknown_session'],
    ['live session', exchanged, session.hash, NOW, admin, 'ok'],
    ['expired session', exchanged, session.hash, NOW + 60, admin, 'session_expired'],
    ['minting key revoked', exchanged, session.hash, NOW, undefined, 'minter_revoked'],
    [
      'minted by a publisher of this tenant',
      exchanged,
      session.hash,
      NOW,
      { role: 'publisher', tenantId: 't_1' },
      'ok',
    ],
    ['minted by an unbound publisher', exchanged, session.hash, NOW, { role: 'publisher' }, 'ok'],
    [
      'publisher set holding the tenant',
      exchanged,
      session.hash,
      NOW,
      { role: 'publisher', tenantIds: ['t_0', 't_1'] },
      'ok',
    ],
    [
      'publisher set without it',
      exchanged,
      session.hash,
      NOW,
      { role: 'publisher', tenantIds: ['t_2'] },
      'minter_revoked',
    ],
    [
      'a tenant key as minter',
      exchanged,
      session.hash,
      NOW,
      { role: 'tenant', tenantId: 't_1' },
      'minter_revoked',
    ],
  ] as const)('%s → %s', (_name, state, hash, now, minter, expected) => {
    expect(sessionDecision(state, hash, now, minter)).toBe(expected);
  });

  it('accepts nothing but the session hash (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: NOW - 1000, max: NOW + 1000 }), (other, now) => {
        const decision = sessionDecision(exchanged, hashApiKey(other), now, admin);
        expect(decision === 'ok').toBe(false);
      }),
    );
  });
});

describe('linkLifetime', () => {
  it.each([
    [undefined, 3600],
    [1, 1],
    [86_400, 86_400],
  ])('%s → %s seconds under the default maximum (a day)', (input, seconds) => {
    expect(linkLifetime(input)).toEqual({ seconds });
  });

  it.each([0, -1, 86_401, 604_800, 2.5, '60', null, Number.NaN])(
    'rejects %s under the default maximum',
    (input) => {
      expect(linkLifetime(input)).toHaveProperty('error');
    },
  );

  it('follows the deployment maximum, never past the contract’s seven days', () => {
    expect(linkLifetime(604_800, 604_800)).toEqual({ seconds: 604_800 });
    expect(linkLifetime(604_801, 10_000_000)).toHaveProperty('error');
    expect(linkLifetime(undefined, 600)).toEqual({ seconds: 600 });
    expect(linkLifetime(601, 600)).toMatchObject({ error: expect.stringContaining('1 to 600') });
  });

  it('the maximum session length defaults below seven days and is checked when configured', () => {
    expect(parseMaxSessionSeconds(undefined)).toBe(DEFAULT_MAX_SESSION_SECONDS);
    expect(DEFAULT_MAX_SESSION_SECONDS).toBeLessThan(604_800);
    expect(parseMaxSessionSeconds('7200')).toBe(7200);
    for (const bad of ['604801', '0', '59', 'a day'])
      expect(() => parseMaxSessionSeconds(bad)).toThrow(/60 to 604800/);
  });
});

describe('cookies', () => {
  it('reads one cookie among several entries', () => {
    expect(readCookie(['a=1', 'herald_portal_session=hps_x; b=2'], 'herald_portal_session')).toBe('hps_x');
    expect(readCookie(['xherald_portal_session=1'], 'herald_portal_session')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });

  it('writes HttpOnly SameSite=Strict, Secure when asked', () => {
    expect(sessionCookie('v', 10.7, true)).toBe(
      '__Host-herald_portal_session=v; Path=/; Max-Age=10; HttpOnly; SameSite=Strict; Secure',
    );
    expect(sessionCookie('v', 10, false)).not.toContain('Secure');
    expect(sessionCookie('v', 10, true)).toMatch(/^__Host-herald_portal_session=v; Path=\/;/);
    expect(sessionCookie('v', 10, false)).toMatch(/^herald_portal_session=v;/);
  });

  it.each([
    [{ host: '127.0.0.1:3000' }, true],
    [{ host: 'localhost:3000' }, true],
    [{ host: '127.0.0.1:3000', 'x-forwarded-proto': 'https' }, false],
    [{ host: 'abc.execute-api.us-east-1.amazonaws.com', 'x-forwarded-proto': 'https' }, false],
    [{ host: 'portal.example.com' }, false],
  ])('isLoopbackHttp(%o) is %s', (headers, expected) => {
    expect(isLoopbackHttp(headers)).toBe(expected);
  });
});
