/**
 * /v1/endpoints — webhook subscriptions of a tenant. URLs are checked twice here (syntax and literal
 * addresses, then every DNS answer) and again at delivery time by the dispatcher. The signing secret
 * is answered on create and on rotation only; a v1a secret key never (adrs/0009), its public key is on
 * the endpoint.
 */

import { rotate, rotateCredentials } from '../../secrets/rotation.js';
import { requireManager, requireTenantVisible, resolveTenant } from '../../shared/auth.js';
import { config } from '../../shared/config.js';
import {
  ConflictError,
  InvalidRequestError,
  LimitExceededError,
  NotFoundError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { limitDetail } from '../../shared/limits.js';
import {
  type EndpointRecord,
  type EndpointSigningKey,
  HEALTHY,
  isSignatureScheme,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
  usesEd25519,
} from '../../shared/model.js';
import { jsonResponse } from '../../shared/problem.js';
import { EMPTY_HEAD } from '../../shared/store/backlog.js';
import { getHealths, resetHealth } from '../../shared/store/endpoint-health.js';
import {
  deleteEndpoint,
  type EndpointChanges,
  getEndpoint,
  listEndpoints,
  putEndpoint,
  updateEndpoint,
  viewOf,
} from '../../shared/store/endpoints.js';
import { releaseEndpointSlot, reserveEndpointSlot } from '../../shared/store/limits.js';
import { MAX_TENANT_ID_LENGTH } from '../../shared/validation.js';
import { keysForScheme } from '../../signing-keys/key-set.js';
import { healthView } from '../../webhooks/health/breaker.js';
import { isValidEventTypePattern } from '../../webhooks/matching.js';
import { backlogView } from '../../webhooks/recovery/drain-plan.js';
import { generateWebhookSecret } from '../../webhooks/signing.js';
import { generateSigningKeyPair } from '../../webhooks/signing-v1a.js';
import { parseWebhookUrl, resolvePublicAddresses } from '../../webhooks/ssrf.js';
import { type CheckedFilter, checkedFilter } from '../endpoint-filter.js';
import {
  decodeCursor,
  type JsonObject,
  listBody,
  optionalJsonObject,
  optionalString,
  parseLimit,
  rejectUnknownFields,
  requiredString,
  requireJsonObject,
} from '../http.js';
import { type AuthedRequest, type Route, route } from '../router.js';

const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 512;
const MAX_EVENT_TYPES = 50;
/** Deliveries per second an endpoint accepts; enforced by the dispatcher. */
const MAX_RATE_LIMIT = 10_000;

async function checkedUrl(raw: string): Promise<string> {
  const allowLoopback = config.allowLoopbackWebhooks();
  const url = parseWebhookUrl(raw, { allowLoopback });
  await resolvePublicAddresses(url, { allowLoopback });
  return url.href;
}

function eventTypesOf(value: unknown): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > MAX_EVENT_TYPES ||
    !value.every((p) => typeof p === 'string' && isValidEventTypePattern(p))
  ) {
    throw new InvalidRequestError(
      `"eventTypes" must be 1 to ${MAX_EVENT_TYPES} patterns like "order.placed", "order.*" or "*"`,
      { detail: { field: 'eventTypes' } },
    );
  }
  return [...new Set(value as string[])];
}

function rateLimitOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RATE_LIMIT) {
    throw new InvalidRequestError(`"rateLimit" must be an integer from 1 to ${MAX_RATE_LIMIT} (per second)`, {
      detail: { field: 'rateLimit' },
    });
  }
  return value;
}

function signatureSchemeOf(value: unknown): SignatureScheme {
  if (!isSignatureScheme(value)) {
    throw new InvalidRequestError(
      `"signatureScheme" must be one of ${SIGNATURE_SCHEMES.map((s) => `"${s}"`).join(', ')} (v1 = HMAC, v1a = ed25519)`,
      { detail: { field: 'signatureScheme' } },
    );
  }
  return value;
}

/** A fresh v1a key pair (generated here, sealed by the store, never answered). */
function newSigningKey(createdAt: string): EndpointSigningKey {
  return { ...generateSigningKeyPair(), createdAt };
}

/** Loads the endpoint if the caller may see it; another tenant's endpoint is 404 like a missing one. */
async function visibleEndpoint({ principal, params }: AuthedRequest): Promise<EndpointRecord> {
  requireManager(principal);
  const endpoint = await getEndpoint(params.id!);
  if (endpoint === undefined) throw new NotFoundError('Endpoint not found');
  requireTenantVisible(principal, endpoint.tenantId, 'Endpoint');
  return endpoint;
}

/**
 * Runs `create` holding one of the tenant's endpoint slots (docs/api.md "Limits"); none left →
 * `403 limit_exceeded`. The slot is taken before the write, so concurrent creates cannot overshoot.
 */
async function withEndpointSlot(tenantId: string, create: () => Promise<void>): Promise<void> {
  const limit = config.maxEndpointsPerTenant();
  const reserved = await reserveEndpointSlot(tenantId, limit);
  if (!reserved.ok) {
    throw new LimitExceededError(
      `A tenant has at most ${limit} endpoints and ${tenantId} has ${reserved.current}: delete one, or ask the operator to raise herald:maxEndpointsPerTenant`,
      { detail: limitDetail('endpointsPerTenant', limit, reserved.current) },
    );
  }
  try {
    await create();
  } catch (error) {
    await releaseEndpointSlot(tenantId);
    throw error;
  }
}

const createEndpoint = route('POST', '/v1/endpoints', async ({ event, principal }) => {
  requireManager(principal);
  const body = requireJsonObject(event);
  rejectUnknownFields(body, [
    'tenantId',
    'url',
    'eventTypes',
    'description',
    'rateLimit',
    'enabled',
    'filter',
    'signatureScheme',
  ]);
  const tenantId = resolveTenant(principal, optionalString(body, 'tenantId', MAX_TENANT_ID_LENGTH), 'Tenant');
  const url = await checkedUrl(requiredString(body, 'url', MAX_URL_LENGTH));
  const eventTypes = eventTypesOf(body.eventTypes);
  const description = optionalString(body, 'description', MAX_DESCRIPTION_LENGTH);
  const rateLimit = body.rateLimit === undefined ? undefined : rateLimitOf(body.rateLimit);
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') {
    throw new InvalidRequestError('"enabled" must be a boolean', { detail: { field: 'enabled' } });
  }
  const checked =
    body.filter === undefined || body.filter === null
      ? undefined
      : await checkedFilter(body.filter, tenantId, eventTypes);
  const signatureScheme =
    body.signatureScheme === undefined ? undefined : signatureSchemeOf(body.signatureScheme);
  const now = new Date().toISOString();
  const secret = generateWebhookSecret();
  const record: EndpointRecord = {
    id: newId('ep'),
    tenantId,
    url,
    eventTypes,
    enabled: body.enabled !== false,
    secrets: [{ secret, createdAt: now }],
    signingKeys: usesEd25519(signatureScheme) ? [newSigningKey(now)] : [],
    ...(signatureScheme !== undefined ? { signatureScheme } : {}),
    createdAt: now,
    updatedAt: now,
    ...(description !== undefined ? { description } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    ...(checked !== undefined ? { filter: checked.filter } : {}),
  };
  await withEndpointSlot(tenantId, () => putEndpoint(record));
  return jsonResponse(201, {
    ...viewOf(record),
    health: healthView(HEALTHY, new Date()),
    backlog: backlogView(EMPTY_HEAD),
    secret,
    ...warningsOf(checked),
  });
});

/** The endpoint as the API shows it: no secrets, with its health (adrs/0007). */
async function representations(records: readonly EndpointRecord[]) {
  const healths = await getHealths(records.map((r) => r.id));
  const now = new Date();
  return records.map((r) => {
    const stored = healths.get(r.id);
    return {
      ...viewOf(r),
      health: healthView(stored?.health ?? HEALTHY, now),
      backlog: backlogView(stored?.backlog ?? EMPTY_HEAD),
    };
  });
}

async function representation(record: EndpointRecord) {
  return (await representations([record]))[0]!;
}

const listTenantEndpoints = route('GET', '/v1/endpoints', async ({ principal, query }) => {
  requireManager(principal);
  const tenantId = resolveTenant(principal, query.tenantId, 'Tenant');
  const startKey = decodeCursor(query.cursor);
  const page = await listEndpoints(tenantId, {
    limit: parseLimit(query.limit),
    ...(startKey ? { startKey } : {}),
  });
  return jsonResponse(200, listBody(await representations(page.items), page.lastEvaluatedKey));
});

const readEndpoint = route('GET', '/v1/endpoints/{id}', async (request) => {
  return jsonResponse(200, await representation(await visibleEndpoint(request)));
});

async function changesOf(body: JsonObject): Promise<EndpointChanges> {
  rejectUnknownFields(body, [
    'url',
    'eventTypes',
    'description',
    'rateLimit',
    'enabled',
    'filter',
    'signatureScheme',
  ]);
  if (Object.keys(body).length === 0) {
    throw new InvalidRequestError(
      'Send at least one of url, eventTypes, description, rateLimit, enabled, filter, signatureScheme',
    );
  }
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') {
    throw new InvalidRequestError('"enabled" must be a boolean', { detail: { field: 'enabled' } });
  }
  return {
    ...(body.url !== undefined ? { url: await checkedUrl(requiredString(body, 'url', MAX_URL_LENGTH)) } : {}),
    ...(body.eventTypes !== undefined ? { eventTypes: eventTypesOf(body.eventTypes) } : {}),
    // null removes an optional field
    ...(body.description === null
      ? { description: null }
      : body.description !== undefined
        ? { description: optionalString(body, 'description', MAX_DESCRIPTION_LENGTH)! }
        : {}),
    ...(body.rateLimit === null
      ? { rateLimit: null }
      : body.rateLimit !== undefined
        ? { rateLimit: rateLimitOf(body.rateLimit) }
        : {}),
    ...(typeof body.enabled === 'boolean' ? { enabled: body.enabled } : {}),
    ...(body.signatureScheme !== undefined
      ? { signatureScheme: signatureSchemeOf(body.signatureScheme) }
      : {}),
  };
}

/** `warnings` in a create/PATCH answer: the subscribed types the filter could not be checked against. */
function warningsOf(checked: CheckedFilter | undefined) {
  return checked !== undefined && checked.warnings.length > 0 ? { warnings: checked.warnings } : {};
}

/**
 * The filter a PATCH leaves on the endpoint, checked against the eventTypes it leaves: a new filter,
 * `null` to remove it, or — when only eventTypes change — the current filter checked again.
 */
async function patchedFilter(
  current: EndpointRecord,
  filter: unknown,
  eventTypes: readonly string[] | undefined,
): Promise<{ change?: Record<string, unknown> | null; checked?: CheckedFilter }> {
  if (filter === null) return { change: null };
  if (filter !== undefined) {
    const checked = await checkedFilter(filter, current.tenantId, eventTypes ?? current.eventTypes);
    return { change: checked.filter, checked };
  }
  if (eventTypes !== undefined && current.filter !== undefined) {
    return { checked: await checkedFilter(current.filter, current.tenantId, eventTypes) };
  }
  return {};
}

const patchEndpoint = route('PATCH', '/v1/endpoints/{id}', async (request) => {
  const current = await visibleEndpoint(request);
  const body = requireJsonObject(request.event);
  let changes = await changesOf(body);
  const filtered = await patchedFilter(current, body.filter, changes.eventTypes);
  if (filtered.change !== undefined) changes = { ...changes, filter: filtered.change };
  // Enabling again forgets why Herald disabled it and the failure streak: it starts healthy.
  const reEnabled = changes.enabled === true && !current.enabled;
  if (reEnabled) changes = { ...changes, disabledReason: null, disabledAt: null };
  // Switching to v1a generates a key pair when the endpoint has no active one.
  const now = new Date();
  const signingKeys =
    changes.signatureScheme === undefined
      ? undefined
      : keysForScheme(changes.signatureScheme, current.signingKeys, Math.floor(now.getTime() / 1000), () =>
          newSigningKey(now.toISOString()),
        );
  const updated = await updateEndpoint(
    current.id,
    current.updatedAt,
    { ...changes, ...(signingKeys !== undefined ? { signingKeys } : {}) },
    now.toISOString(),
  );
  if (updated === undefined) {
    throw new ConflictError('The endpoint changed or was deleted meanwhile; read it again and retry');
  }
  if (reEnabled) await resetHealth(updated.id);
  return jsonResponse(200, { ...(await representation(updated)), ...warningsOf(filtered.checked) });
});

const removeEndpoint = route('DELETE', '/v1/endpoints/{id}', async (request) => {
  const endpoint = await visibleEndpoint(request);
  if (!(await deleteEndpoint(endpoint.id))) throw new NotFoundError('Endpoint not found');
  await releaseEndpointSlot(endpoint.tenantId);
  return { statusCode: 204 };
});

function tooManyActive(refused: { readonly limit: number; readonly active: number }): LimitExceededError {
  return new LimitExceededError(
    `An endpoint has at most ${refused.limit} active secrets (and v1a keys) and this one has ${refused.active}: ` +
      'wait until the previous one expires, or rotate with {"expireCurrentNow": true} to drop the old ones at once',
    {
      detail: {
        limitName: 'activeSecretsPerEndpoint',
        limit: refused.limit,
        current: refused.active,
        active: refused.active,
      },
    },
  );
}

/**
 * Rotation rules (grace period, at most two active secrets, expireCurrentNow): secrets/rotation.ts. With
 * v1a the key pair rotates by the same rules in the same write, so both overlap for the same period.
 */
const rotateSecret = route('POST', '/v1/endpoints/{id}/rotate-secret', async (request) => {
  const body = optionalJsonObject(request.event);
  rejectUnknownFields(body, ['expireCurrentNow']);
  if (body.expireCurrentNow !== undefined && typeof body.expireCurrentNow !== 'boolean') {
    throw new InvalidRequestError('"expireCurrentNow" must be a boolean', {
      detail: { field: 'expireCurrentNow' },
    });
  }
  const current = await visibleEndpoint(request);
  const now = new Date();
  const secret = generateWebhookSecret();
  const rules = {
    graceSeconds: config.secretGraceSeconds(),
    expireCurrentNow: body.expireCurrentNow === true,
  };
  const rotation = rotate(current.secrets, { secret, ...rules }, now);
  if (rotation.kind === 'limit_exceeded') throw tooManyActive(rotation);
  const key = usesEd25519(current.signatureScheme) ? newSigningKey(now.toISOString()) : undefined;
  const keyRotation = key === undefined ? undefined : rotateCredentials(current.signingKeys, key, rules, now);
  if (keyRotation?.kind === 'limit_exceeded') throw tooManyActive(keyRotation);
  const updated = await updateEndpoint(
    current.id,
    current.updatedAt,
    {
      secrets: rotation.secrets,
      ...(keyRotation !== undefined ? { signingKeys: keyRotation.credentials } : {}),
    },
    now.toISOString(),
  );
  if (updated === undefined) {
    throw new ConflictError('The endpoint changed or was deleted meanwhile; retry the rotation');
  }
  return jsonResponse(200, {
    id: updated.id,
    secret,
    ...(rotation.previousExpiresAt !== undefined
      ? { previousSecretExpiresAt: new Date(rotation.previousExpiresAt * 1000).toISOString() }
      : {}),
    ...(key !== undefined ? { publicKey: key.publicKey, kid: key.kid } : {}),
    ...(keyRotation?.previousExpiresAt !== undefined
      ? { previousKeyExpiresAt: new Date(keyRotation.previousExpiresAt * 1000).toISOString() }
      : {}),
  });
});

const endpointRoutes: readonly Route[] = [
  createEndpoint,
  listTenantEndpoints,
  readEndpoint,
  patchEndpoint,
  removeEndpoint,
  rotateSecret,
];

export { endpointRoutes };
