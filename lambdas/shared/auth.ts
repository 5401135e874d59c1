/**
 * Who is calling, and what they may do. The authorizer never denies (HTTP APIs cannot shape their own
 * 401/403 bodies); it passes `{ authenticated, role, tenantId, keyId, reason }` as context and this
 * module turns it into a principal or a problem before any route runs (docs/internals.md "Auth").
 *
 * Rules (API.md "Keys and tenants"): `admin` may do everything; `publisher` may only publish, to any
 * tenant or to its one tenant; `tenant` manages and reads its own tenant only. A role acting beyond its
 * rights gets 403; a tenant key reaching another tenant's resource gets 404, so ids do not leak.
 */
import { ForbiddenError, InvalidRequestError, NotFoundError, UnauthorizedError } from './errors.js';
import type { Role } from './store/api-keys.js';
import { validateTenantId } from './validation.js';

interface Principal {
  readonly role: Role;
  readonly keyId: string;
  /** Set for tenant keys, and for publisher keys bound to one tenant. */
  readonly tenantId?: string;
  /** Set for publisher keys limited to a set of tenants. */
  readonly tenantIds?: readonly string[];
}

/** The authorizer's context as it reaches a route (simple responses: string values). */
interface AuthorizerContext {
  readonly authenticated: 'true' | 'false';
  readonly role: string;
  readonly tenantId: string;
  /** A publisher key's tenant set, comma-separated (tenant ids never contain a comma); '' when none. */
  readonly tenantIds?: string;
  readonly keyId: string;
  readonly reason: string;
}

/** The part of an API Gateway v2 event this module reads. */
interface AuthorizedEvent {
  readonly requestContext: { readonly authorizer?: { readonly lambda?: Partial<Record<string, unknown>> } };
}

/** Messages for the portal's rejections, so the page can say what to do (the reason is in the problem). */
const SESSION_MESSAGES: Readonly<Record<string, string>> = {
  unknown_session: 'The portal session is not valid (it may have been revoked); open a new portal link',
  session_expired: 'The portal session has expired; open a new portal link',
  cross_origin: 'A portal session may only change data from the portal page itself',
};

function requirePrincipal(event: AuthorizedEvent): Principal {
  const context = event.requestContext.authorizer?.lambda;
  if (context === undefined || context.authenticated !== 'true') {
    const reason = typeof context?.reason === 'string' ? context.reason : '';
    const message = SESSION_MESSAGES[reason];
    if (message !== undefined) throw new UnauthorizedError(message, { detail: { reason } });
    throw new UnauthorizedError('A valid API key is required: send "Authorization: Bearer <key>"');
  }
  const { role, keyId, tenantId, tenantIds } = context;
  if ((role !== 'admin' && role !== 'publisher' && role !== 'tenant') || typeof keyId !== 'string') {
    throw new UnauthorizedError('A valid API key is required: send "Authorization: Bearer <key>"');
  }
  if (role === 'tenant' && (typeof tenantId !== 'string' || tenantId === '')) {
    throw new UnauthorizedError('A valid API key is required: send "Authorization: Bearer <key>"');
  }
  return {
    role,
    keyId,
    ...(typeof tenantId === 'string' && tenantId !== '' ? { tenantId } : {}),
    ...(role === 'publisher' && typeof tenantIds === 'string' && tenantIds !== ''
      ? { tenantIds: tenantIds.split(',') }
      : {}),
  };
}

function requireAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw new ForbiddenError('This route needs an admin key');
}

/** Managing and reading tenant data: admin or tenant keys. */
function requireManager(principal: Principal): void {
  if (principal.role === 'publisher') {
    throw new ForbiddenError('A publisher key may only publish events');
  }
}

/** The tenants a bound publisher may act for, as a phrase; undefined for an unbound one. */
function publisherTenants(principal: Principal): string | undefined {
  if (principal.tenantIds !== undefined) return `tenants ${principal.tenantIds.join(', ')}`;
  return principal.tenantId === undefined ? undefined : `tenant ${principal.tenantId}`;
}

function publisherMayActFor(principal: Principal, tenantId: string): boolean {
  if (principal.tenantIds !== undefined) return principal.tenantIds.includes(tenantId);
  return principal.tenantId === undefined || principal.tenantId === tenantId;
}

/** Publishing: admin, or a publisher that is unbound or bound to this tenant (or a set holding it). */
function requirePublisher(principal: Principal, tenantId: string): void {
  if (principal.role === 'admin') return;
  if (principal.role === 'tenant') throw new ForbiddenError('A tenant key cannot publish events');
  if (!publisherMayActFor(principal, tenantId)) {
    throw new ForbiddenError(`This publisher key may only publish events for ${publisherTenants(principal)}`);
  }
}

/** Minting portal links: admin, or a publisher that is unbound or bound to this tenant (or a set holding it). */
function requireLinkMinter(principal: Principal, tenantId: string): void {
  if (principal.role === 'tenant') throw new ForbiddenError('A tenant key cannot create portal links');
  if (principal.role === 'publisher' && !publisherMayActFor(principal, tenantId)) {
    throw new ForbiddenError(
      `This publisher key may only create portal links for ${publisherTenants(principal)}`,
    );
  }
}

/** A portal session's principal carries its link id (`pl_...`) where a key's carries `key_...`. */
function isPortalSession(principal: Principal): boolean {
  return principal.keyId.startsWith('pl_');
}

/** Whether the principal may see the tenant's data at all. */
function canSeeTenant(principal: Principal, tenantId: string): boolean {
  return principal.role === 'admin' || (principal.role === 'tenant' && principal.tenantId === tenantId);
}

/** Throws 404 (never 403) when a tenant key reaches another tenant's resource. */
function requireTenantVisible(principal: Principal, tenantId: string, what: string): void {
  if (!canSeeTenant(principal, tenantId)) throw new NotFoundError(`${what} not found`);
}

/**
 * The tenant a list or create call acts on: a tenant key's own tenant (an explicit other tenant is
 * 404); an admin must name one.
 */
function resolveTenant(principal: Principal, requested: string | undefined, what: string): string {
  if (requested !== undefined && requested !== '') validateTenantId(requested);
  if (principal.role === 'tenant') {
    const own = principal.tenantId!;
    if (requested !== undefined && requested !== own) throw new NotFoundError(`${what} not found`);
    return own;
  }
  if (requested === undefined || requested === '') {
    throw new InvalidRequestError('tenantId is required', { detail: { field: 'tenantId' } });
  }
  return requested;
}

export type { AuthorizedEvent, AuthorizerContext, Principal };
export {
  isPortalSession,
  requireAdmin,
  requireLinkMinter,
  requireManager,
  requirePrincipal,
  requirePublisher,
  requireTenantVisible,
  resolveTenant,
};
