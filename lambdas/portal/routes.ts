/**
 * The consumer portal's way in (API.md "Portal"). An admin or publisher mints a magic link; the
 * portal page exchanges its token, once, for an HttpOnly session cookie that the authorizer accepts as
 * the tenant's principal. The token travels in the URL fragment, which browsers never send to a
 * server, and the page removes it from the address bar after the exchange.
 */

import {
  decodeCursor,
  listBody,
  parseLimit,
  rejectUnknownFields,
  requiredString,
  requireJsonObject,
} from '../api/http.js';
import { publicRoute, type Route, route } from '../api/router.js';
import { hashApiKey } from '../shared/apikeys.js';
import { isPortalSession, type Principal, requireLinkMinter } from '../shared/auth.js';
import { config } from '../shared/config.js';
import { ForbiddenError, InvalidRequestError, NotFoundError, UnauthorizedError } from '../shared/errors.js';
import { jsonResponse } from '../shared/problem.js';
import { MAX_TENANT_ID_LENGTH } from '../shared/validation.js';
import {
  deletePortalLink,
  exchangePortalLink,
  getPortalLink,
  listPortalLinks,
  type PortalLinkRecord,
  putPortalLink,
} from './link-store.js';
import {
  clearedSessionCookie,
  exchangeDecision,
  generateLinkToken,
  generateSessionToken,
  isLoopbackHttp,
  linkLifetime,
  parseLinkId,
  parseMaxSessionSeconds,
  sessionCookie,
} from './tokens.js';

/** API.md: the pattern of a tenant id everywhere one is taken. */
const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const EXCHANGE_MESSAGES = {
  link_invalid: 'This portal link is not valid; ask for a new one',
  link_expired: 'This portal link has expired; ask for a new one',
  link_used: 'This portal link has already been used; ask for a new one',
} as const;

/**
 * The portal's base URL as the deployment configured it (HERALD_PORTAL_URL). Never built from the
 * request: a `Host` header is the caller's to choose, and a link pointing elsewhere hands its token away.
 */
function portalBase(): string {
  const configured = config.portalUrl();
  return configured.endsWith('/') ? configured : `${configured}/`;
}

const createLink = route('POST', '/v1/portal-links', async ({ event, principal }) => {
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['tenantId', 'expiresIn']);
  const tenantId = requiredString(body, 'tenantId', MAX_TENANT_ID_LENGTH);
  if (!TENANT_ID_PATTERN.test(tenantId)) {
    throw new InvalidRequestError(`"tenantId" must match ${TENANT_ID_PATTERN.source}`, {
      detail: { field: 'tenantId' },
    });
  }
  requireLinkMinter(principal, tenantId);
  const lifetime = linkLifetime(body.expiresIn, parseMaxSessionSeconds(config.portalMaxSessionSeconds()));
  if ('error' in lifetime) throw new InvalidRequestError(lifetime.error, { detail: { field: 'expiresIn' } });
  const base = portalBase();
  const now = new Date();
  const expiresAt = Math.floor(now.getTime() / 1000) + lifetime.seconds;
  const { id, token, hash } = generateLinkToken();
  await putPortalLink({
    id,
    tenantId,
    linkHash: hash,
    expiresAt,
    createdAt: now.toISOString(),
    createdBy: principal.keyId,
  });
  return jsonResponse(201, {
    id,
    tenantId,
    createdBy: principal.keyId,
    // The tenant rides along (in the fragment, never sent to a server) so the page can ask first.
    url: `${base}#token=${token}&tenant=${encodeURIComponent(tenantId)}`,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  });
});

/** Links: an admin sees all, a publisher the ones its key minted; a tenant key none (403). */
const listLinks = route('GET', '/v1/portal-links', async ({ principal, query }) => {
  if (principal.role === 'tenant') throw new ForbiddenError('A tenant key cannot list portal links');
  const startKey = decodeCursor(query.cursor);
  const page = await listPortalLinks({
    limit: parseLimit(query.limit),
    ...(startKey ? { startKey } : {}),
    ...(principal.role === 'publisher' ? { createdBy: principal.keyId } : {}),
  });
  return jsonResponse(200, listBody(page.items, page.lastEvaluatedKey));
});

/** An admin may revoke any link; a publisher only one its key minted. */
function mayRevoke(principal: Principal, record: PortalLinkRecord): boolean {
  if (principal.role === 'admin') return true;
  return principal.role === 'publisher' && record.createdBy === principal.keyId;
}

/**
 * A link the caller may not revoke answers exactly as a missing one (404), whoever asks, so the
 * answer never tells whether an id exists.
 */
const revokeLink = route('DELETE', '/v1/portal-links/{id}', async ({ principal, params }) => {
  const record = principal.role === 'tenant' ? undefined : await getPortalLink(params.id!);
  if (record === undefined || !mayRevoke(principal, record)) throw new NotFoundError('Portal link not found');
  await deletePortalLink(record.id);
  return { statusCode: 204 };
});

/** Public: the link token is the credential. Answers the session as an HttpOnly cookie. */
const exchange = publicRoute('POST', '/v1/portal-session', async ({ event }) => {
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['token']);
  const token = requiredString(body, 'token', 128);
  const linkId = parseLinkId(token);
  const hash = hashApiKey(token);
  const now = new Date();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const record = linkId === undefined ? undefined : await getPortalLink(linkId);
  let decision = exchangeDecision(record, hash, nowSeconds);
  const session = generateSessionToken(linkId ?? 'pl_');
  if (decision === 'ok' && !(await exchangePortalLink(record!.id, hash, session.hash, now))) {
    decision = 'link_used'; // a concurrent exchange won
  }
  if (decision !== 'ok') {
    throw new UnauthorizedError(EXCHANGE_MESSAGES[decision], { detail: { reason: decision } });
  }
  const secure = !isLoopbackHttp(event.headers);
  return {
    ...jsonResponse(201, {
      tenantId: record!.tenantId,
      expiresAt: new Date(record!.expiresAt * 1000).toISOString(),
    }),
    cookies: [sessionCookie(session.token, record!.expiresAt - nowSeconds, secure)],
  };
});

const readSession = route('GET', '/v1/portal-session', async ({ principal }) => {
  const record = isPortalSession(principal) ? await getPortalLink(principal.keyId) : undefined;
  if (record === undefined) throw new NotFoundError('This request carries no portal session');
  return jsonResponse(200, {
    tenantId: record.tenantId,
    expiresAt: new Date(record.expiresAt * 1000).toISOString(),
  });
});

/** Sign out: the session (and its link) is deleted, and the cookie cleared. */
const endSession = route('DELETE', '/v1/portal-session', async ({ event, principal }) => {
  if (!isPortalSession(principal)) throw new NotFoundError('This request carries no portal session');
  await deletePortalLink(principal.keyId);
  return { statusCode: 204, cookies: [clearedSessionCookie(!isLoopbackHttp(event.headers))] };
});

const portalRoutes: readonly Route[] = [createLink, listLinks, revokeLink, exchange, readSession, endSession];

export { portalRoutes };
