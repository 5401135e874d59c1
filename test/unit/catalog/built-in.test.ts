import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeInvoice } from '../../../lambdas/jobs/invoice.handler.js';
import { BUILT_IN_NAMES, builtInType } from '../../../lambdas/shared/catalog/built-in.js';
import { assertUsableSchema, validateOnce } from '../../../lambdas/shared/catalog/validator.js';
import {
  type BuiltInDates,
  GENERATED_FILE,
  readHistory,
  renderBuiltInModule,
  SCHEMAS_DIR,
} from '../../../scripts/gen-catalog.js';

describe('schemas/ (Herald’s own event types)', () => {
  it('the generated module is current: run `npm run gen:catalog` after editing a schema file', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(renderBuiltInModule());
  });

  it('serves exactly the schema files, sorted: adding a file adds a type without editing this test', () => {
    const files = readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    expect(BUILT_IN_NAMES).toEqual(files);
  });

  it('has the types Herald itself relies on: order.placed, invoice.created and the operational ones', () => {
    expect(BUILT_IN_NAMES).toEqual(
      expect.arrayContaining([
        'herald.delivery.exhausted',
        'herald.endpoint.disabled',
        'herald.endpoint.failing',
        'herald.endpoint.recovered',
        'invoice.created',
        'order.placed',
      ]),
    );
  });

  it.each(BUILT_IN_NAMES)('%s: a usable draft 2020-12 schema whose examples validate', async (name) => {
    const type = builtInType(name)!;
    await assertUsableSchema(type.schema);
    expect(type.examples.length).toBeGreaterThan(0);
    for (const example of type.examples)
      expect(await validateOnce(type.schema, example, '/data')).toEqual([]);
  });

  it('operational types carry data.endpointId, and herald.delivery.exhausted data.eventId', () => {
    for (const name of BUILT_IN_NAMES.filter((n) => n.startsWith('herald.'))) {
      const schema = builtInType(name)!.schema as { required: string[] };
      expect(schema.required).toContain('endpointId');
    }
    expect((builtInType('herald.delivery.exhausted')!.schema as { required: string[] }).required).toContain(
      'eventId',
    );
  });

  it('what the invoice job emits as invoice.created matches that schema', async () => {
    const order = builtInType('order.placed')!.examples[1] as Parameters<typeof computeInvoice>[0];
    const data = { ...computeInvoice(order), eventId: 'evt_1', createdAt: new Date().toISOString() };
    expect(await validateOnce(builtInType('invoice.created')!.schema, data, '/data')).toEqual([]);
  });
});

// The operational events as lambdas/webhooks (health/report.ts, attempt.ts, dispatch.ts) emit them:
// each data shape must be valid under its built-in schema.
describe('operational events as Herald emits them', () => {
  const endpoint = { endpointId: 'ep_01JD0000000000000000000001', url: 'https://example.com/hook' };
  it.each([
    [
      'herald.endpoint.failing',
      { ...endpoint, failureStreak: 5, failingSince: '2026-12-01T00:00:00.000Z', lastError: 'HTTP 503' },
    ],
    ['herald.endpoint.failing', { ...endpoint, failureStreak: 5 }],
    [
      'herald.endpoint.recovered',
      { ...endpoint, failingSince: '2026-12-01T00:00:00.000Z', failureStreak: 6 },
    ],
    [
      'herald.endpoint.disabled',
      { ...endpoint, disabledReason: 'failing', disabledAt: '2026-12-06T00:00:00.000Z' },
    ],
    [
      'herald.delivery.exhausted',
      {
        endpointId: endpoint.endpointId,
        eventId: 'evt_01JD0000000000000000000001',
        eventType: 'order.placed',
        attempts: 8,
        lastError: 'timeout',
      },
    ],
  ])('%s %j is valid', async (name, data) => {
    expect(await validateOnce(builtInType(name)!.schema, data, '/data')).toEqual([]);
  });
});

// Issue 24 point 7: every built-in showed one hard-coded createdAt. Each now carries its own dates.
describe('built-in types’ createdAt and updatedAt', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const schemaFile = (name: string, description: string) => ({
    name,
    description,
    schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' },
    examples: [{}],
  });
  const write = (name: string, description: string) => {
    dir ??= mkdtempSync(join(tmpdir(), 'herald-schemas-'));
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(schemaFile(name, description)));
    return dir;
  };
  const clock = (iso: string) => () => new Date(iso);
  const noClock = () => {
    throw new Error('the clock is read only for a new or changed type');
  };

  it('a new type is dated when it is generated', () => {
    const module = renderBuiltInModule(write('a.created', 'first'), {}, clock('2027-01-02T03:04:05.000Z'));
    expect(readHistory(module)['a.created']).toMatchObject({
      createdAt: '2027-01-02T03:04:05.000Z',
      updatedAt: '2027-01-02T03:04:05.000Z',
    });
  });

  it('an unchanged file keeps its dates, whatever the time, and reads no clock', () => {
    const d = write('a.created', 'first');
    const first = readHistory(renderBuiltInModule(d, {}, clock('2027-01-02T00:00:00.000Z')));
    expect(readHistory(renderBuiltInModule(d, first, noClock))).toEqual(first);
  });

  it('a changed file keeps its createdAt and takes a new updatedAt; another type keeps both', () => {
    write('a.created', 'first');
    const d = write('b.created', 'other');
    const first = readHistory(renderBuiltInModule(d, {}, clock('2027-01-02T00:00:00.000Z')));
    write('a.created', 'first, described better');
    const second = readHistory(renderBuiltInModule(d, first, clock('2027-02-03T00:00:00.000Z')));
    expect(second['a.created']).toMatchObject({
      createdAt: '2027-01-02T00:00:00.000Z',
      updatedAt: '2027-02-03T00:00:00.000Z',
    });
    expect(second['a.created']?.sha256).not.toBe(first['a.created']?.sha256);
    expect(second['b.created']).toEqual(first['b.created']);
  });

  it('refuses a previous module without its dates rather than re-dating every type', () => {
    expect(() => readHistory('const BUILT_IN_FILES = {} as const;')).toThrow(/BUILT_IN_HISTORY/);
  });

  it('the committed module dates every schema file, and each type serves its own dates', () => {
    const history: Record<string, BuiltInDates> = readHistory(readFileSync(GENERATED_FILE, 'utf8'));
    expect(Object.keys(history).sort()).toEqual([...BUILT_IN_NAMES]);
    for (const name of BUILT_IN_NAMES) {
      const type = builtInType(name)!;
      expect(type.createdAt).toBe(history[name]?.createdAt);
      expect(type.updatedAt).toBe(history[name]?.updatedAt);
      expect(Date.parse(type.updatedAt)).toBeGreaterThanOrEqual(Date.parse(type.createdAt));
    }
    // Dated from git history when the record began: the herald.* files changed after they were added.
    expect(builtInType('order.placed')!.createdAt).toBe('2026-12-01T20:13:07.000Z');
    expect(builtInType('herald.endpoint.failing')!.updatedAt).toBe('2026-12-01T20:48:52.000Z');
  });
});

describe('builtInVersion (what publishers bundle instead of the schemas)', () => {
  it('answers what builtInType does, for every built-in and for anything else', async () => {
    const { builtInVersion } = await import('../../../lambdas/shared/catalog/built-in-version.js');
    const { BUILT_IN_NAMES, builtInType } = await import('../../../lambdas/shared/catalog/built-in.js');
    for (const name of BUILT_IN_NAMES) expect(builtInVersion(name)).toBe(builtInType(name)?.version);
    for (const other of ['ping.sent', 'toString', '__proto__', 'herald.endpoint']) {
      expect(builtInVersion(other)).toBeUndefined();
    }
  });
});
