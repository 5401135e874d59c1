/**
 * Checks a parsed filter against the schemas of the event types an endpoint subscribes to, when the
 * filter is saved: a field the schema does not have, a condition whose type cannot match (a string
 * compared with a number field, "numeric" on a boolean) or a value outside an `enum` is an error with
 * a pointer into the filter. A pure function of (filter, subscribed types): the catalog reads are the
 * caller's (lambdas/api/endpoint-filter.ts).
 *
 * A `type` condition in the filter narrows the types its `data` is checked against, so
 * `{"type": ["order.placed"], "data": {"orderId": ["1"]}}` on an `order.*` endpoint is checked
 * against order.placed alone. A type without a schema accepts any well-formed filter, with a warning.
 */
import { matchesFilter } from './evaluate.js';
import type { Condition, FieldsNode, LeafNode, Literal, PointerMessage } from './pattern.js';
import { type Conjunction, type JsonType, jsonTypeOf, type LeafView, SchemaView } from './schema-view.js';

/** An event type the endpoint receives, with its current schema (undefined: none). */
interface SubscribedType {
  readonly name: string;
  readonly schema?: Record<string, unknown> | boolean;
}

interface FilterWarning {
  readonly eventType: string;
  readonly message: string;
}

interface CheckInput {
  readonly tenantId: string;
  /** The catalogued types the endpoint's `eventTypes` match. */
  readonly types: readonly SubscribedType[];
  /** Whether the endpoint's `eventTypes` match this type name (catalogued or not). */
  readonly subscribes: (type: string) => boolean;
}

interface CheckResult {
  readonly errors: readonly PointerMessage[];
  readonly warnings: readonly FilterWarning[];
}

const MAX_ERRORS = 20;

class Checker {
  /** reason → pointer and the types that gave it, so one mistake against three types is one error. */
  private readonly found = new Map<string, { pointer: string; reason: string; types: string[] }>();
  readonly warnings: FilterWarning[] = [];

  constructor(private readonly input: CheckInput) {}

  report(pointer: string, reason: string, type?: string): void {
    const key = `${pointer}\u0000${reason}`;
    const entry = this.found.get(key) ?? { pointer, reason, types: [] };
    if (type !== undefined && !entry.types.includes(type)) entry.types.push(type);
    this.found.set(key, entry);
  }

  errors(): PointerMessage[] {
    return [...this.found.values()].slice(0, MAX_ERRORS).map(({ pointer, reason, types }) => ({
      pointer,
      message: types.length === 0 ? reason : `${types.join(', ')}: ${reason}`,
    }));
  }

  envelope(node: FieldsNode, types: readonly SubscribedType[]): void {
    let narrowed = types;
    for (const { key, node: child } of node.fields) {
      if (child.kind !== 'leaf') continue;
      if (key === 'type') {
        for (const c of child.conditions) {
          if (c.value.kind === 'equals' && !this.input.subscribes(String(c.value.value))) {
            this.report(
              c.pointer,
              `the endpoint does not subscribe to "${String(c.value.value)}", so this never matches`,
            );
          }
        }
        narrowed = narrowed.filter((t) =>
          matchesFilter(
            { kind: 'fields', pointer: '', fields: [{ key, node: child }] },
            {
              type: t.name,
              tenantId: this.input.tenantId,
              data: undefined,
            },
          ),
        );
      }
      if (key === 'tenantId') {
        for (const c of child.conditions) {
          if (c.value.kind === 'equals' && c.value.value !== this.input.tenantId) {
            this.report(c.pointer, `the endpoint receives only events of tenant "${this.input.tenantId}"`);
          }
        }
      }
    }
    const data = node.fields.find((f) => f.key === 'data')?.node;
    if (data !== undefined && data.kind === 'fields') {
      for (const type of narrowed) {
        if (type.schema === undefined) continue;
        const view = new SchemaView(type.schema);
        this.fields(view, view.rootAlternatives(), data, type.name);
      }
    }
    for (const alternative of node.anyOf ?? []) this.envelope(alternative, narrowed);
  }

  fields(view: SchemaView, alts: readonly Conjunction[], node: FieldsNode, type: string): void {
    const objects = view.flatten(alts);
    for (const { key, node: child } of node.fields) {
      const found = objects.map((conj) => view.field(conj, key)).filter((f) => f !== undefined);
      if (found.length === 0) {
        this.report(child.pointer, noFieldReason(view, objects, key), type);
        continue;
      }
      const childAlts = found.flat();
      if (child.kind === 'leaf') this.leaf(view.leafView(view.flatten(childAlts)), child, type);
      else this.fields(view, childAlts, child, type);
    }
    for (const alternative of node.anyOf ?? []) this.fields(view, alts, alternative, type);
  }

  leaf(views: readonly LeafView[], leaf: LeafNode, type: string): void {
    for (const { pointer, value: condition } of leaf.conditions) {
      const reason = conditionProblem(condition, views);
      if (reason !== undefined) this.report(pointer, reason, type);
    }
  }
}

function noFieldReason(view: SchemaView, objects: readonly Conjunction[], key: string): string {
  const types = new Set(objects.flatMap((conj) => [...view.typesOf(conj)]));
  if (!types.has('object')) return `there is no field "${key}" here: the value is ${describeTypes(types)}`;
  const names = [...new Set(objects.flatMap((conj) => view.fieldNames(conj)))];
  const near = names.filter((n) => editDistance(n.toLowerCase(), key.toLowerCase()) <= 2).slice(0, 3);
  const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : '';
  return `the schema has no field "${key}" here${hint}`;
}

function describeTypes(types: ReadonlySet<JsonType>): string {
  const shown = [...types].filter((t) => !(t === 'integer' && types.has('number')));
  if (shown.length === 0) return 'never valid';
  return shown
    .map((t) => (t === 'integer' ? 'an integer' : t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`))
    .join(' or ');
}

function literalFits(value: Literal, view: LeafView): boolean {
  const t = jsonTypeOf(value);
  if (!view.types.has(t)) return false;
  return view.values === undefined || view.values.some((v) => v === value);
}

function stringFits(view: LeafView, test: (s: string) => boolean): boolean {
  if (!view.types.has('string')) return false;
  return view.values === undefined || view.values.some((v) => typeof v === 'string' && test(v));
}

function numberFits(view: LeafView): boolean {
  return view.types.has('number') || view.types.has('integer');
}

function outsideEnum(values: readonly unknown[]): string {
  const listed = values
    .slice(0, 10)
    .map((v) => JSON.stringify(v))
    .join(', ');
  return `the schema allows only ${listed}${values.length > 10 ? ', …' : ''}`;
}

/** Why `condition` can never match a value the views allow; undefined when it can. */
function conditionProblem(condition: Condition, views: readonly LeafView[]): string | undefined {
  const types = new Set(views.flatMap((v) => [...v.types]));
  const enums = views.every((v) => v.values !== undefined) ? views.flatMap((v) => v.values!) : undefined;
  const typed = (wanted: string) => `${wanted}, but the field is ${describeTypes(types)}`;
  switch (condition.kind) {
    case 'exists':
      return undefined;
    case 'equals': {
      if (views.some((v) => literalFits(condition.value, v))) return undefined;
      const kind = jsonTypeOf(condition.value);
      if (views.some((v) => v.types.has(kind) || (kind === 'integer' && v.types.has('number')))) {
        return `${JSON.stringify(condition.value)} is not a value the schema allows: ${outsideEnum(enums ?? [])}`;
      }
      return typed(`compares with ${describeTypes(new Set([kind]))}`);
    }
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case': {
      const value = condition.value;
      const test =
        condition.kind === 'prefix'
          ? (s: string) => s.startsWith(value)
          : condition.kind === 'suffix'
            ? (s: string) => s.endsWith(value)
            : (s: string) => s.toLowerCase() === value.toLowerCase();
      if (views.some((v) => stringFits(v, test))) return undefined;
      if (!types.has('string')) return typed(`"${condition.kind}" needs a string`);
      return `no value the schema allows matches: ${outsideEnum(enums ?? [])}`;
    }
    case 'numeric':
      return views.some(numberFits) ? undefined : typed('"numeric" needs a number');
    case 'anything-but':
      for (const value of condition.values) {
        const kind = jsonTypeOf(value);
        if (!views.some((v) => v.types.has(kind) || (kind === 'integer' && v.types.has('number')))) {
          return typed(`"anything-but" compares with ${describeTypes(new Set([kind]))}`);
        }
        if (enums !== undefined && !enums.some((e) => e === value)) {
          return `${JSON.stringify(value)} is not a value the schema allows: ${outsideEnum(enums)}`;
        }
      }
      return undefined;
    case 'anything-but-prefix':
    case 'anything-but-suffix':
      return types.has('string') ? undefined : typed('"anything-but" with a prefix or suffix needs a string');
  }
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Checks `filter` against every subscribed type; warnings name the types it could not be checked against. */
function checkFilter(filter: FieldsNode, input: CheckInput): CheckResult {
  const checker = new Checker(input);
  checker.envelope(filter, input.types);
  const warnings = input.types
    .filter((t) => t.schema === undefined)
    .map((t) => ({
      eventType: t.name,
      message: `${t.name} has no schema: the filter is not checked against it`,
    }));
  return { errors: checker.errors(), warnings };
}

export type { CheckInput, CheckResult, FilterWarning, SubscribedType };
export { checkFilter };
