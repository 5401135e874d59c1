/** `herald endpoints create|list|disable|enable|set-scheme|rotate-secret|set-filter|preview-filter|keys`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type Command,
  type CommandContext,
  intOption,
  positional,
  requiredOption,
  stringOption,
} from '../context.js';
import { UsageError } from '../errors.js';
import { renderFields, renderTable } from '../table.js';

interface EndpointView {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  readonly description?: string;
  readonly createdAt?: string;
  readonly secret?: string;
  readonly filter?: Record<string, unknown>;
  readonly warnings?: readonly { readonly eventType: string; readonly message: string }[];
  readonly health?: HealthView;
  readonly backlog?: BacklogView;
  readonly signatureScheme?: string;
  readonly publicKey?: string;
}

interface PreviewView {
  readonly examined: number;
  readonly matched: number;
  readonly examples: readonly { readonly id: string; readonly type: string; readonly createdAt: string }[];
  readonly warnings?: readonly { readonly eventType: string; readonly message: string }[];
}

/** The endpoint's delivery health (API.md, adrs/0007). */
interface HealthView {
  readonly status: string;
  readonly breaker: string;
  readonly failureStreak: number;
  readonly failingSince?: string;
  readonly heldUntil?: string;
  readonly openReason?: string;
}

/** The deliveries parked while the endpoint is in trouble (API.md `backlog`, adrs/0011). */
interface BacklogView {
  readonly count: number;
  readonly oldestAt?: string;
  readonly draining: boolean;
}

interface RotateView {
  readonly id: string;
  readonly secret: string;
  readonly previousSecretExpiresAt?: string;
  readonly publicKey?: string;
  readonly kid?: string;
  readonly previousKeyExpiresAt?: string;
}

interface KeySetView {
  readonly keys: readonly {
    readonly kid: string;
    readonly kty: string;
    readonly crv: string;
    readonly x: string;
  }[];
}

/** API.md "Endpoints": `signatureScheme`. */
const SCHEMES = ['v1', 'v1a', 'v1,v1a'] as const;

function scheme(value: string): string {
  if (!(SCHEMES as readonly string[]).includes(value)) {
    throw new UsageError(
      `The signature scheme is one of ${SCHEMES.join(', ')} (v1 = HMAC, v1a = ed25519), not "${value}"`,
    );
  }
  return value;
}

const endpointFields = (e: EndpointView): string =>
  renderFields([
    ['id', e.id],
    ['tenant', e.tenantId],
    ['url', e.url],
    ['event types', e.eventTypes],
    ['enabled', String(e.enabled)],
    ['description', e.description],
    ['filter', e.filter !== undefined ? JSON.stringify(e.filter) : undefined],
    ['signature scheme', e.signatureScheme],
    ['public key', e.publicKey],
    ...(e.secret !== undefined ? ([['secret', e.secret]] as const) : []),
  ]) +
  (e.warnings ?? []).map((w) => `warning: ${w.message}\n`).join('') +
  (e.secret !== undefined ? 'The secret is shown only now: store it where the receiver can read it.\n' : '');

/**
 * A payload filter (docs/api.md "Payload filters"): inline JSON, `@path` to read it from a file, or
 * `none` (null: no filter).
 */
function filterValue(context: CommandContext, raw: string): Record<string, unknown> | null {
  if (raw === 'none') return null;
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFileSync(resolve(context.io.cwd, raw.slice(1)), 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read the filter file ${raw.slice(1)}`, { cause: error });
    }
  }
  let filter: unknown;
  try {
    filter = JSON.parse(text);
  } catch (error) {
    throw new UsageError('The filter is not valid JSON', {
      cause: error,
      hint: `Example: --filter '{"data":{"currency":["EUR"]}}', or --filter @filter.json`,
    });
  }
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new UsageError('The filter must be a JSON object (an event pattern), or none');
  }
  return filter as Record<string, unknown>;
}

/** `--types 'order.*,invoice.created'` → ['order.*', 'invoice.created']. */
function eventTypes(context: CommandContext): string[] {
  const types = requiredOption(context, 'types')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (types.length === 0) throw new UsageError('--types needs at least one event type pattern');
  return types;
}

const create: Command = {
  name: 'endpoints create',
  summary: 'Subscribe a webhook URL to event types (prints the signing secret once)',
  usage:
    "<https://webhook-url> --tenant <tenantId> --types <pattern,...> [--description <text>] [--filter '<json>'|@file] [--scheme v1|v1a|v1,v1a]",
  options: {
    tenant: { type: 'string' },
    types: { type: 'string' },
    description: { type: 'string' },
    filter: { type: 'string' },
    scheme: { type: 'string' },
    'endpoint-url': { type: 'string' },
  },
  async run(context) {
    // --url is the API's URL (a global flag), so the webhook URL is --endpoint-url or the positional.
    const url = stringOption(context, 'endpoint-url') ?? context.positionals[0];
    if (url === undefined)
      throw new UsageError('Missing the webhook URL: herald endpoints create <https://...> ...');
    const description = stringOption(context, 'description');
    const filter = stringOption(context, 'filter');
    const signatureScheme = stringOption(context, 'scheme');
    const body = {
      tenantId: requiredOption(context, 'tenant'),
      url,
      eventTypes: eventTypes(context),
      ...(description !== undefined ? { description } : {}),
      ...(filter !== undefined ? { filter: filterValue(context, filter) } : {}),
      ...(signatureScheme !== undefined ? { signatureScheme: scheme(signatureScheme) } : {}),
    };
    const endpoint = await context.client().request<EndpointView>('POST', '/v1/endpoints', { body });
    context.print(endpoint, endpointFields);
  },
};

const list: Command = {
  name: 'endpoints list',
  summary: "List a tenant's endpoints",
  usage: '--tenant <tenantId> [--limit N] [--cursor C]',
  options: { tenant: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
  async run(context) {
    const page = await context
      .client()
      .request<{ items: EndpointView[]; nextCursor?: string }>('GET', '/v1/endpoints', {
        query: {
          tenantId: stringOption(context, 'tenant'),
          limit: intOption(context, 'limit', 50, 100),
          cursor: stringOption(context, 'cursor'),
        },
      });
    context.print(page, (p) => {
      const table = renderTable(
        [
          { header: 'id', value: (e: EndpointView) => e.id },
          { header: 'enabled', value: (e) => (e.enabled ? 'yes' : 'no') },
          // Health first: the runbooks read this table to find the receiver in trouble.
          {
            header: 'health',
            value: (e) =>
              e.health === undefined
                ? undefined
                : `${e.health.status}${e.health.openReason ? ` (${e.health.openReason})` : ''}`,
          },
          { header: 'breaker', value: (e) => e.health?.breaker },
          {
            header: 'streak',
            value: (e) => (e.health === undefined ? undefined : String(e.health.failureStreak)),
          },
          { header: 'failing since', value: (e) => e.health?.failingSince ?? e.health?.heldUntil },
          {
            header: 'backlog',
            value: (e) =>
              e.backlog === undefined
                ? undefined
                : `${e.backlog.count}${e.backlog.draining ? ' draining' : ''}${e.backlog.count > 0 && e.backlog.oldestAt ? ` since ${e.backlog.oldestAt}` : ''}`,
          },
          { header: 'event types', value: (e) => e.eventTypes },
          { header: 'url', value: (e) => e.url },
        ],
        p.items,
      );
      return p.nextCursor === undefined ? table : `${table}More: --cursor ${p.nextCursor}\n`;
    });
  },
};

function toggle(enabled: boolean): Command {
  return {
    name: enabled ? 'endpoints enable' : 'endpoints disable',
    summary: enabled
      ? 'Resume deliveries to an endpoint'
      : 'Stop deliveries to an endpoint (new ones are skipped)',
    usage: '<endpointId>',
    async run(context) {
      const id = positional(context, 0, 'endpointId');
      const endpoint = await context
        .client()
        .request<EndpointView>('PATCH', `/v1/endpoints/${encodeURIComponent(id)}`, { body: { enabled } });
      context.print(endpoint, endpointFields);
    },
  };
}

const setScheme: Command = {
  name: 'endpoints set-scheme',
  summary: 'Choose the signatures deliveries carry: v1 (HMAC), v1a (ed25519) or v1,v1a (both)',
  usage: '<endpointId> <v1|v1a|v1,v1a>',
  async run(context) {
    const id = positional(context, 0, 'endpointId');
    const signatureScheme = scheme(positional(context, 1, 'scheme'));
    const endpoint = await context
      .client()
      .request<EndpointView>('PATCH', `/v1/endpoints/${encodeURIComponent(id)}`, {
        body: { signatureScheme },
      });
    context.print(endpoint, endpointFields);
  },
};

const rotate: Command = {
  name: 'endpoints rotate-secret',
  summary: 'Issue a new signing secret (and key pair with v1a); the old ones keep signing for a grace period',
  usage: '<endpointId> [--expire-current-now]',
  options: { 'expire-current-now': { type: 'boolean' } },
  async run(context) {
    const id = positional(context, 0, 'endpointId');
    const expireCurrentNow = context.options['expire-current-now'] === true;
    const result = await context
      .client()
      .request<RotateView>('POST', `/v1/endpoints/${encodeURIComponent(id)}/rotate-secret`, {
        ...(expireCurrentNow ? { body: { expireCurrentNow } } : {}),
      });
    context.print(
      result,
      (r) =>
        `${renderFields([
          ['id', r.id],
          ['secret', r.secret],
          ['old secret valid until', r.previousSecretExpiresAt],
          ['public key', r.publicKey],
          ['kid', r.kid],
          ['old key valid until', r.previousKeyExpiresAt],
        ])}${
          r.publicKey !== undefined
            ? 'Receivers that fetch the tenant key set pick up the new public key by themselves.\n'
            : ''
        }Deploy the new secret to the receiver before the old one expires.\n`,
    );
  },
};

const keys: Command = {
  name: 'endpoints keys',
  summary: "A tenant's v1a public keys in use (its JSON Web Key Set; needs no API key)",
  usage: '--tenant <tenantId>',
  options: { tenant: { type: 'string' } },
  async run(context) {
    const tenantId = requiredOption(context, 'tenant');
    const set = await context
      .client()
      .request<KeySetView>('GET', `/v1/tenants/${encodeURIComponent(tenantId)}/jwks.json`);
    context.print(set, (s) =>
      renderTable(
        [
          { header: 'kid', value: (k: KeySetView['keys'][number]) => k.kid },
          { header: 'public key', value: (k) => `whpk_${Buffer.from(k.x, 'base64url').toString('base64')}` },
        ],
        s.keys,
      ),
    );
  },
};

const setFilter: Command = {
  name: 'endpoints set-filter',
  summary: "Set or remove an endpoint's payload filter (checked against the event types' schemas)",
  usage: "<endpointId> --filter '<json>'|@file|none",
  options: { filter: { type: 'string' } },
  async run(context) {
    const id = positional(context, 0, 'endpointId');
    const filter = filterValue(context, requiredOption(context, 'filter'));
    const endpoint = await context
      .client()
      .request<EndpointView>('PATCH', `/v1/endpoints/${encodeURIComponent(id)}`, { body: { filter } });
    context.print(endpoint, endpointFields);
  },
};

const previewFilter: Command = {
  name: 'endpoints preview-filter',
  summary: "How many of the tenant's recent events a filter would let through (saves nothing)",
  usage: "<endpointId> --filter '<json>'|@file|none [--limit N]",
  options: { filter: { type: 'string' }, limit: { type: 'string' } },
  async run(context) {
    const id = positional(context, 0, 'endpointId');
    const body = {
      filter: filterValue(context, requiredOption(context, 'filter')),
      limit: intOption(context, 'limit', 100, 200),
    };
    const preview = await context
      .client()
      .request<PreviewView>('POST', `/v1/endpoints/${encodeURIComponent(id)}/filter-preview`, { body });
    context.print(
      preview,
      (p) =>
        `${p.matched} of the last ${p.examined} events would be delivered\n` +
        renderTable(
          [
            { header: 'example', value: (e: PreviewView['examples'][number]) => e.id },
            { header: 'type', value: (e) => e.type },
            { header: 'created', value: (e) => e.createdAt },
          ],
          p.examples,
        ) +
        (p.warnings ?? []).map((w) => `warning: ${w.message}\n`).join(''),
    );
  },
};

const endpointCommands: readonly Command[] = [
  create,
  list,
  toggle(false),
  toggle(true),
  setScheme,
  rotate,
  setFilter,
  previewFilter,
  keys,
];

export { endpointCommands };
