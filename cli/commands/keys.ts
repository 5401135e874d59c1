/** `herald keys create|list|revoke` (admin keys only). */
import { type Command, intOption, positional, requiredOption, stringOption } from '../context.js';
import { UsageError } from '../errors.js';
import { renderFields, renderTable } from '../table.js';

interface KeyView {
  readonly id: string;
  readonly role: string;
  readonly tenantId?: string;
  readonly name?: string;
  readonly createdAt?: string;
  readonly key?: string;
}

const ROLES = ['admin', 'publisher', 'tenant'];

const create: Command = {
  name: 'keys create',
  summary: 'Mint an API key (printed once)',
  usage: '--role admin|publisher|tenant [--tenant <tenantId>] [--name <label>]',
  options: { role: { type: 'string' }, tenant: { type: 'string' }, name: { type: 'string' } },
  async run(context) {
    const role = requiredOption(context, 'role');
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const tenantId = stringOption(context, 'tenant');
    if (role === 'tenant' && tenantId === undefined) throw new UsageError('A tenant key needs --tenant');
    const name = stringOption(context, 'name');
    const created = await context.client().request<KeyView>('POST', '/v1/keys', {
      body: {
        role,
        ...(tenantId !== undefined ? { tenantId } : {}),
        ...(name !== undefined ? { name } : {}),
      },
    });
    context.print(
      created,
      (k) =>
        `${renderFields([
          ['id', k.id],
          ['role', k.role],
          ['tenant', k.tenantId],
          ['name', k.name],
          ['key', k.key],
        ])}The key is shown only now and stored only as a hash: keep it in a secret store.\n`,
    );
  },
};

const list: Command = {
  name: 'keys list',
  summary: 'List API keys (never their secrets)',
  usage: '[--limit N] [--cursor C]',
  options: { limit: { type: 'string' }, cursor: { type: 'string' } },
  async run(context) {
    const page = await context
      .client()
      .request<{ items: KeyView[]; nextCursor?: string }>('GET', '/v1/keys', {
        query: { limit: intOption(context, 'limit', 50, 100), cursor: stringOption(context, 'cursor') },
      });
    context.print(page, (p) => {
      const table = renderTable(
        [
          { header: 'id', value: (k: KeyView) => k.id },
          { header: 'role', value: (k) => k.role },
          { header: 'tenant', value: (k) => k.tenantId },
          { header: 'name', value: (k) => k.name },
          { header: 'created', value: (k) => k.createdAt },
        ],
        p.items,
      );
      return p.nextCursor === undefined ? table : `${table}More: --cursor ${p.nextCursor}\n`;
    });
  },
};

const revoke: Command = {
  name: 'keys revoke',
  summary: 'Revoke an API key (it stops working within 5 s)',
  usage: '<keyId>',
  async run(context) {
    const id = positional(context, 0, 'keyId');
    await context.client().request('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
    context.print({ id, revoked: true }, (r) => `Revoked ${r.id}\n`);
  },
};

const keyCommands: readonly Command[] = [create, list, revoke];

export { keyCommands };
