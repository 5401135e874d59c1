import { describe, expect, it } from 'vitest';
import {
  type Principal,
  requireAdmin,
  requireManager,
  requirePrincipal,
  requirePublisher,
  requireTenantVisible,
  resolveTenant,
} from '../../../lambdas/shared/auth.js';

const admin: Principal = { role: 'admin', keyId: 'key_a' };
const publisher: Principal = { role: 'publisher', keyId: 'key_p' };
const bound: Principal = { role: 'publisher', keyId: 'key_b', tenantId: 't_1' };
const tenant: Principal = { role: 'tenant', keyId: 'key_t', tenantId: 't_1' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

function event(lambda: Record<string, string> | undefined) {
  return { requestContext: lambda === undefined ? {} : { authorizer: { lambda } } };
}

describe('requirePrincipal', () => {
  it('turns an authenticated context into a principal', () => {
    expect(
      requirePrincipal(
        event({ authenticated: 'true', role: 'tenant', tenantId: 't_1', keyId: 'key_t', reason: 'ok' }),
      ),
    ).toEqual(tenant);
    expect(
      requirePrincipal(
        event({ authenticated: 'true', role: 'admin', tenantId: '', keyId: 'key_a', reason: 'ok' }),
      ),
    ).toEqual(admin);
  });

  it('is 401 without a context, when unauthenticated, or for a tenant key without tenant', () => {
    expect(codeOf(() => requirePrincipal(event(undefined)))).toBe('unauthorized');
    expect(codeOf(() => requirePrincipal(event({ authenticated: 'false', reason: 'missing' })))).toBe(
      'unauthorized',
    );
    expect(
      codeOf(() =>
        requirePrincipal(event({ authenticated: 'true', role: 'tenant', tenantId: '', keyId: 'k' })),
      ),
    ).toBe('unauthorized');
    expect(codeOf(() => requirePrincipal(event({ authenticated: 'true', role: 'root', keyId: 'k' })))).toBe(
      'unauthorized',
    );
  });
});

describe('role checks', () => {
  it('admin may do everything', () => {
    expect(codeOf(() => requireAdmin(admin))).toBeUndefined();
    expect(codeOf(() => requireManager(admin))).toBeUndefined();
    expect(codeOf(() => requirePublisher(admin, 't_9'))).toBeUndefined();
    expect(codeOf(() => requireTenantVisible(admin, 't_9', 'Endpoint'))).toBeUndefined();
  });

  it('publisher publishes (bound: its tenant only) and manages nothing', () => {
    expect(codeOf(() => requirePublisher(publisher, 't_9'))).toBeUndefined();
    expect(codeOf(() => requirePublisher(bound, 't_1'))).toBeUndefined();
    expect(codeOf(() => requirePublisher(bound, 't_2'))).toBe('forbidden');
    expect(codeOf(() => requireManager(publisher))).toBe('forbidden');
    expect(codeOf(() => requireAdmin(publisher))).toBe('forbidden');
  });

  it('tenant manages its own tenant, cannot publish, and gets 404 for other tenants', () => {
    expect(codeOf(() => requirePublisher(tenant, 't_1'))).toBe('forbidden');
    expect(codeOf(() => requireManager(tenant))).toBeUndefined();
    expect(codeOf(() => requireTenantVisible(tenant, 't_1', 'Event'))).toBeUndefined();
    expect(codeOf(() => requireTenantVisible(tenant, 't_2', 'Event'))).toBe('not_found');
  });

  it('resolveTenant defaults a tenant key to its own tenant and needs one from an admin', () => {
    expect(resolveTenant(tenant, undefined, 'Tenant')).toBe('t_1');
    expect(codeOf(() => resolveTenant(tenant, 't_2', 'Tenant'))).toBe('not_found');
    expect(resolveTenant(admin, 't_5', 'Tenant')).toBe('t_5');
    expect(codeOf(() => resolveTenant(admin, undefined, 'Tenant'))).toBe('invalid_request');
  });
});
