/** `herald event-types list|get|create|set-schema|archive|export` — the catalog. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, type CommandContext, intOption, positional, stringOption } from '../context.js';
import { UsageError } from '../errors.js';
import { renderFields, renderTable } from '../table.js';

interface EventTypeView {
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly archived: boolean;
  readonly version: number;
  readonly schema?: unknown;
  readonly examples?: unknown[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly versions?: readonly { version: number; createdAt: string }[];
}

/** A JSON file named by an option (relative to the working directory), or undefined when not given. */
function jsonFile(context: CommandContext, option: string): unknown {
  const file = stringOption(context, option);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(context.io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`--${option}: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--${option}: ${file} is not valid JSON`);
  }
}

function renderType(t: EventTypeView): string {
  const fields = renderFields([
    ['name', t.name],
    ['description', t.description],
    ['version', String(t.version)],
    ['built-in', t.builtIn ? 'yes' : 'no'],
    ['archived', t.archived ? 'yes' : 'no'],
    ['updated', t.updatedAt],
  ]);
  const versions =
    t.versions === undefined || t.versions.length === 0
      ? ''
      : renderTable(
          [
            { header: 'version', value: (v: { version: number; createdAt: string }) => String(v.version) },
            { header: 'created', value: (v) => v.createdAt },
          ],
          [...t.versions],
        );
  const schema = t.schema === undefined ? '' : `schema:\n${JSON.stringify(t.schema, null, 2)}\n`;
  return `${fields}${versions}${schema}`;
}

const list: Command = {
  name: 'event-types list',
  summary: 'List the catalog (Herald’s own types first)',
  usage: '[--limit N] [--cursor C]',
  options: { limit: { type: 'string' }, cursor: { type: 'string' } },
  async run(context) {
    const page = await context
      .client()
      .request<{ items: EventTypeView[]; nextCursor?: string }>('GET', '/v1/event-types', {
        query: { limit: intOption(context, 'limit', 50, 100), cursor: stringOption(context, 'cursor') },
      });
    context.print(page, (p) => {
      const table = renderTable(
        [
          { header: 'name', value: (t: EventTypeView) => t.name },
          { header: 'version', value: (t) => String(t.version) },
          { header: 'state', value: (t) => (t.archived ? 'archived' : t.builtIn ? 'built-in' : 'active') },
          { header: 'description', value: (t) => t.description },
        ],
        p.items,
      );
      return p.nextCursor === undefined ? table : `${table}More: --cursor ${p.nextCursor}\n`;
    });
  },
};

const get: Command = {
  name: 'event-types get',
  summary: 'Show a type, its current schema and every version',
  usage: '<name>',
  async run(context) {
    const name = positional(context, 0, 'name');
    const type = await context
      .client()
      .request<EventTypeView>('GET', `/v1/event-types/${encodeURIComponent(name)}`);
    context.print(type, renderType);
  },
};

const create: Command = {
  name: 'event-types create',
  summary: 'Register a type (admin); --file takes a whole schemas/*.json-style file',
  usage: '<name> --description D [--schema-file F] [--examples-file F] | --file F',
  options: {
    description: { type: 'string' },
    'schema-file': { type: 'string' },
    'examples-file': { type: 'string' },
    file: { type: 'string' },
  },
  async run(context) {
    const whole = jsonFile(context, 'file') as Record<string, unknown> | undefined;
    const name =
      whole === undefined ? positional(context, 0, 'name') : (context.positionals[0] ?? whole.name);
    const description = stringOption(context, 'description') ?? whole?.description;
    if (typeof description !== 'string') throw new UsageError('--description is required');
    const schema = jsonFile(context, 'schema-file') ?? whole?.schema;
    const examples = jsonFile(context, 'examples-file') ?? whole?.examples;
    const created = await context.client().request<EventTypeView>('POST', '/v1/event-types', {
      body: {
        name,
        description,
        ...(schema !== undefined ? { schema } : {}),
        ...(examples !== undefined ? { examples } : {}),
      },
    });
    context.print(created, renderType);
  },
};

const setSchema: Command = {
  name: 'event-types set-schema',
  summary: 'Add a schema version (admin); refused unless every event valid before stays valid',
  usage: '<name> --schema-file F [--examples-file F]',
  options: { 'schema-file': { type: 'string' }, 'examples-file': { type: 'string' } },
  async run(context) {
    const name = positional(context, 0, 'name');
    const schema = jsonFile(context, 'schema-file');
    if (schema === undefined) throw new UsageError('--schema-file is required');
    const examples = jsonFile(context, 'examples-file');
    const updated = await context
      .client()
      .request<EventTypeView>('PUT', `/v1/event-types/${encodeURIComponent(name)}/schema`, {
        body: { schema, ...(examples !== undefined ? { examples } : {}) },
      });
    context.print(updated, renderType);
  },
};

const archive: Command = {
  name: 'event-types archive',
  summary: 'Archive a type (admin): publishing it is refused, its history stays readable',
  usage: '<name>',
  async run(context) {
    const name = positional(context, 0, 'name');
    await context.client().request('DELETE', `/v1/event-types/${encodeURIComponent(name)}`);
    context.print({ name, archived: true }, (r) => `Archived ${r.name}\n`);
  },
};

const exportDocument: Command = {
  name: 'event-types export',
  summary: 'Print (or --out) the OpenAPI 3.1 webhooks document for receivers',
  usage: '[--out FILE]',
  options: { out: { type: 'string' } },
  async run(context) {
    const document = await context
      .client()
      .request<Record<string, unknown>>('GET', '/v1/openapi/webhooks.json');
    const text = `${JSON.stringify(document, null, 2)}\n`;
    const out = stringOption(context, 'out');
    if (out === undefined) {
      context.print(document, () => text);
      return;
    }
    writeFileSync(resolve(context.io.cwd, out), text);
    const count = Object.keys((document.webhooks ?? {}) as object).length;
    context.print({ out, webhooks: count }, (r) => `Wrote ${r.out} (${r.webhooks} webhooks)\n`);
  },
};

const eventTypeCommands: readonly Command[] = [list, get, create, setSchema, archive, exportDocument];

export { eventTypeCommands };
