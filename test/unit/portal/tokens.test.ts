import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exchangeDecision,
  generateLinkToken,
  generateSessionToken,
  isLoopbackHttp,
  linkLifetime,
  parseLinkId,
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
  it.each([
    ['revoked (no item)', undefined, session.hash, NOW, 'unknown_session'],
    ['not exchanged yet', fresh, session.hash, NOW, 'unknown_session'],
    ['the link token as a session', exchanged, link.hash, NOW, 'unknown_session'],
    ['live session', exchanged, session.hash, NOW, 'ok'],
    ['expired session', exchanged, session.hash, NOW + 60, 'session_expired'],
  ] as const)('%s → %s', (_name, state, hash, now, expected) => {
    expect(sessionDecision(state, hash, now)).toBe(expected);
  });

  it('accepts nothing but the session hash (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: NOW - 1000, max: NOW + 1000 }), (other, now) => {
        const decision = sessionDecision(exchanged, hashApiKey(other), now);
        expect(decision === 'ok').toBe(false);
      }),
    );
  });
});

describe('linkLifetime', () => {
  it.each([
    [undefined, 3600],
    [1, 1],
    [604_800, 604_800],
  ])('%s → %s seconds', (input, seconds) => {
    expect(linkLifetime(input)).toEqual({ seconds });
  });

  it.each([0, -1, 604_801, 2.5, '60', null, Number.NaN])('rejects %s', (input) => {
    expect(linkLifetime(input)).toHaveProperty('error');
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
      'herald_portal_session=v; Path=/; Max-Age=10; HttpOnly; SameSite=Strict; Secure',
    );
    expect(sessionCookie('v', 10, false)).not.toContain('Secure');
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
