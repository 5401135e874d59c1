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

const createKey = route('POST', '/v1/keys', async ({ event, principal }) => {
  requireAdmin(principal);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, ['role', 'tenantId', 'name']);
  if (!isRole(body.role)) {
    throw new InvalidRequestError('"role" must be one of admin, publisher, tenant', {
      detail: { field: 'role' },
    });
  }
  const role = body.role;
  const tenantId = body.tenantId === undefined ? undefined : validateTenantId(body.tenantId);
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
