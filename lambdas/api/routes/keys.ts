/** /v1/keys — admin only: mint (the key is shown once), list without secrets, revoke at once. */
import { generateApiKey } from '../../shared/apikeys.js';
import { requireAdmin } from '../../shared/auth.js';
import { InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/problem.js';
import { deleteApiKey, isRole, listApiKeys, putApiKey, summarize } from '../../shared/store/api-keys.js';
import { validateTenantId } from '../../shared/validation.js';
import {
  decodeCursor,
  listBody,
  optionalString,
  parseLimit,
  rejectUnknownFields,
  requireJsonObject,
} from '../http.js';
import { type Route, route } from '../router.js';

const MAX_KEY_NAME_LENGTH = 128;
/** The most tenants one publisher key may be limited to (the authorizer passes them as one string). */
const MAX_KEY_TENANTS = 100;

/** `tenantIds`: 1 to MAX_KEY_TENANTS distinct valid tenant ids. */
function tenantSet(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_KEY_TENANTS) {
    throw new InvalidRequestError(`"tenantIds" must be a list of 1 to ${MAX_KEY_TENANTS} tenant ids`, {
      detail: { field: 'tenantIds' },
    });
  }
  const ids = value.map((id) => validateTenantId(id));
  return [...new Set(ids)];
}

const createKey = route('POST', '/v1/keys', async ({ event, principal }) => {
  requireAdmin(principal);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['role', 'tenantId', 'tenantIds', 'name']);
  if (!isRole(body.role)) {
    throw new InvalidRequestError('"role" must be one of admin, publisher, tenant', {
      detail: { field: 'role' },
    });
  }
  const role = body.role;
  const tenantId = body.tenantId === undefined ? undefined : validateTenantId(body.tenantId);
  const tenantIds = body.tenantIds === undefined ? undefined : tenantSet(body.tenantIds);
  if (tenantIds !== undefined && role !== 'publisher') {
    throw new InvalidRequestError('Only a publisher key can be limited to "tenantIds"', {
      detail: { field: 'tenantIds' },
    });
  }
  if (tenantIds !== undefined && tenantId !== undefined) {
    throw new InvalidRequestError('Give "tenantId" (one tenant) or "tenantIds" (a set), not both', {
      detail: { field: 'tenantIds' },
    });
  }
  const name = optionalString(body, 'name', MAX_KEY_NAME_LENGTH);
  if (role === 'tenant' && tenantId === undefined) {
    throw new InvalidRequestError('A tenant key needs "tenantId"', { detail: { field: 'tenantId' } });
  }
  if (role === 'admin' && tenantId !== undefined) {
    throw new InvalidRequestError('An admin key cannot be bound to a tenant', {
      detail: { field: 'tenantId' },
    });
  }
  const { id, key, hash } = generateApiKey();
  const record = {
    id,
    role,
    hash,
    createdAt: new Date().toISOString(),
    ...(tenantId !== undefined ? { tenantId } : {}),
    ...(tenantIds !== undefined ? { tenantIds } : {}),
    ...(name !== undefined ? { name } : {}),
  };
  await putApiKey(record);
  return jsonResponse(201, { ...summarize(record), key });
});

const listKeys = route('GET', '/v1/keys', async ({ principal, query }) => {
  requireAdmin(principal);
  const startKey = decodeCursor(query.cursor);
  const page = await listApiKeys({ limit: parseLimit(query.limit), ...(startKey ? { startKey } : {}) });
  return jsonResponse(200, listBody(page.items, page.lastEvaluatedKey));
});

const revokeKey = route('DELETE', '/v1/keys/{id}', async ({ principal, params }) => {
  requireAdmin(principal);
  const id = params.id!;
  if (!(await deleteApiKey(id))) throw new NotFoundError('API key not found');
  return { statusCode: 204 };
});

const keyRoutes: readonly Route[] = [createKey, listKeys, revokeKey];

export { keyRoutes };
