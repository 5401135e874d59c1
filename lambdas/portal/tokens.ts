/**
 * Portal magic links and sessions (docs/internals.md "Portal"). Both are random tokens shaped like API
 * keys — `hpl_<16>_<43>` for a link, `hps_<16>_<43>` for the session it becomes — where the 16 chars
 * are the link id (`pl_<16>`), so one strongly consistent read finds the item and only SHA-256 hashes
 * are stored. The decisions here are pure functions of (item, presented hash, now).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { hashApiKey, hashesEqual } from '../shared/apikeys.js';

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 16;
const SECRET_BYTES = 32;
const LINK_PATTERN = /^hpl_([0-9a-z]{16})_[A-Za-z0-9_-]{43}$/;
const SESSION_PATTERN = /^hps_([0-9a-z]{16})_[A-Za-z0-9_-]{43}$/;

/** The session cookie's name; HttpOnly, so no script on the page can read it. */
const SESSION_COOKIE = 'herald_portal_session';
/**
 * Its name over https: the `__Host-` prefix makes browsers refuse it unless Secure, Path=/ and without
 * Domain, so no sibling subdomain can plant or shadow it (login CSRF by cookie injection).
 */
const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** The session cookie a request carries: the `__Host-` one first. */
function sessionCookieValue(cookies: readonly string[] | undefined): string | undefined {
  return readCookie(cookies, SECURE_SESSION_COOKIE) ?? readCookie(cookies, SESSION_COOKIE);
}
/** API.md "Portal": default one hour, at most seven days (the contract's bound on any deployment). */
const DEFAULT_LINK_SECONDS = 3600;
const MAX_LINK_SECONDS = 604_800;
/**
 * The longest link (and session) a deployment mints unless configured otherwise: a day. Context
 * `herald:portalMaxSessionSeconds` (HERALD_PORTAL_MAX_SESSION_SECONDS) sets it, up to MAX_LINK_SECONDS.
 */
const DEFAULT_MAX_SESSION_SECONDS = 86_400;

interface PortalToken {
  /** `pl_<16>`: the link's public id. */
  readonly id: string;
  /** Shown once (in the link URL, or in the Set-Cookie header), never stored. */
  readonly token: string;
  /** Hex SHA-256 of the token: what is stored. */
  readonly hash: string;
}

/** What the store holds for one link (and, once exchanged, its session). */
interface PortalLinkState {
  readonly tenantId: string;
  readonly linkHash: string;
  /** Set when the link was exchanged for a session: a link opens one session, once. */
  readonly sessionHash?: string;
  /** Epoch seconds; the link and its session end together. */
  readonly expiresAt: number;
  /** The key id that minted the link: its session lives only as long as that key. */
  readonly createdBy?: string;
}

/** The minting key as the authorizer reads it again: whether it still exists and what it may mint. */
interface MinterState {
  readonly role: string;
  readonly tenantId?: string;
  readonly tenantIds?: readonly string[];
}

type ExchangeDecision = 'ok' | 'link_invalid' | 'link_expired' | 'link_used';
type SessionDecision = 'ok' | 'unknown_session' | 'session_expired' | 'minter_revoked';

function randomIdPart(): string {
  let out = '';
  for (let i = 0; i < ID_LENGTH; i++) out += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return out;
}

function tokenWith(prefix: 'hpl' | 'hps', idPart: string): PortalToken {
  const token = `${prefix}_${idPart}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { id: `pl_${idPart}`, token, hash: hashApiKey(token) };
}

function generateLinkToken(): PortalToken {
  return tokenWith('hpl', randomIdPart());
}

/** A session token for the link `linkId` (`pl_<16>`). */
function generateSessionToken(linkId: string): PortalToken {
  return tokenWith('hps', linkId.slice('pl_'.length));
}

function parseLinkId(token: string): string | undefined {
  const match = LINK_PATTERN.exec(token);
  return match === null ? undefined : `pl_${match[1]}`;
}

function parseSessionId(token: string): string | undefined {
  const match = SESSION_PATTERN.exec(token);
  return match === null ? undefined : `pl_${match[1]}`;
}

/** Whether a presented link may be exchanged now (`nowSeconds`: epoch seconds). */
function exchangeDecision(
  state: PortalLinkState | undefined,
  presentedHash: string,
  nowSeconds: number,
): ExchangeDecision {
  if (state === undefined || !hashesEqual(presentedHash, state.linkHash)) return 'link_invalid';
  if (nowSeconds >= state.expiresAt) return 'link_expired';
  if (state.sessionHash !== undefined) return 'link_used';
  return 'ok';
}

/**
 * Whether a presented session cookie is live now: a deleted (revoked) link is unknown, and a session
 * whose minting key was revoked (or that records no minter) ends with that key.
 */
function sessionDecision(
  state: PortalLinkState | undefined,
  presentedHash: string,
  nowSeconds: number,
  minter: MinterState | undefined,
): SessionDecision {
  // Compare against a dummy hash when there is none, so timing does not tell which ids exist.
  const stored = state?.sessionHash ?? '0'.repeat(presentedHash.length);
  if (!hashesEqual(presentedHash, stored) || state?.sessionHash === undefined) return 'unknown_session';
  if (nowSeconds >= state.expiresAt) return 'session_expired';
  if (minter === undefined || !mayMintFor(minter, state.tenantId)) return 'minter_revoked';
  return 'ok';
}

/** Whether a key may mint a portal link for the tenant: admin, or a publisher unbound or bound to it. */
function mayMintFor(key: MinterState, tenantId: string): boolean {
  if (key.role === 'admin') return true;
  if (key.role !== 'publisher') return false;
  if (key.tenantIds !== undefined) return key.tenantIds.includes(tenantId);
  return key.tenantId === undefined || key.tenantId === tenantId;
}

/** The deployment's longest link, as configured (HERALD_PORTAL_MAX_SESSION_SECONDS), or the default. */
function parseMaxSessionSeconds(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_MAX_SESSION_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 60 || value > MAX_LINK_SECONDS) {
    throw new Error(
      `HERALD_PORTAL_MAX_SESSION_SECONDS must be an integer from 60 to ${MAX_LINK_SECONDS}, got "${raw}"`,
    );
  }
  return value;
}

/** `expiresIn` as API.md and the deployment's maximum allow it, or a message naming what is wrong. */
function linkLifetime(
  expiresIn: unknown,
  maxSeconds: number = DEFAULT_MAX_SESSION_SECONDS,
): { seconds: number } | { error: string } {
  const max = Math.min(maxSeconds, MAX_LINK_SECONDS);
  if (expiresIn === undefined) return { seconds: Math.min(DEFAULT_LINK_SECONDS, max) };
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > max) {
    return {
      error: `"expiresIn" must be an integer number of seconds from 1 to ${max} (this deployment's longest portal session)`,
    };
  }
  return { seconds: expiresIn };
}

/** The value of one cookie among payload-2.0 `cookies` entries (`name=value`). */
function readCookie(cookies: readonly string[] | undefined, name: string): string | undefined {
  for (const entry of cookies ?? []) {
    for (const part of entry.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/**
 * True when the request reached a loopback host over plain http (the local runtime): there a
 * `Secure` cookie would be dropped, so it is left off. Behind API Gateway the scheme is https.
 */
function isLoopbackHttp(headers: Readonly<Record<string, string | undefined>>): boolean {
  if ((headers['x-forwarded-proto'] ?? 'http') !== 'http') return false;
  const host = (headers.host ?? '').replace(/:\d+$/, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** Set-Cookie for the session: HttpOnly, SameSite=Strict, Secure unless on loopback http. */
function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

export type { ExchangeDecision, MinterState, PortalLinkState, PortalToken, SessionDecision };
export {
  clearedSessionCookie,
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
  sessionCookieValue,
  sessionDecision,
};
