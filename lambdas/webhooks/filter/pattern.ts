/**
 * Payload filters: the EventBridge / SNS event-pattern syntax (adrs/0009), parsed into a small tree.
 * A filter is a JSON object over the envelope's `type`, `tenantId` and `data`; a field maps to an
 * object (its fields, all must match) or to a non-empty array of conditions (any may match). Parsing
 * checks the syntax and the limits that bound evaluation; it reads no schema (schema-check.ts does).
 * Every problem is located by an RFC 6901 pointer into the filter.
 */

type Literal = string | number | boolean | null;

type NumericOp = '<' | '<=' | '=' | '>=' | '>';

/** One condition of a leaf array. */
type Condition =
  | { readonly kind: 'equals'; readonly value: Literal }
  | { readonly kind: 'prefix' | 'suffix' | 'equals-ignore-case'; readonly value: string }
  | {
      readonly kind: 'numeric';
      readonly bounds: readonly { readonly op: NumericOp; readonly value: number }[];
    }
  | { readonly kind: 'exists'; readonly value: boolean }
  | { readonly kind: 'anything-but'; readonly values: readonly Literal[] }
  | { readonly kind: 'anything-but-prefix' | 'anything-but-suffix'; readonly value: string };

interface Located<T> {
  readonly pointer: string;
  readonly value: T;
}

interface LeafNode {
  readonly kind: 'leaf';
  readonly pointer: string;
  readonly conditions: readonly Located<Condition>[];
  /** The exact values among the conditions, as a set: a list of 150 values costs one lookup. */
  readonly values: ReadonlySet<Literal>;
  /** The conditions other than exact values. */
  readonly operators: readonly Condition[];
}

interface FieldsNode {
  readonly kind: 'fields';
  readonly pointer: string;
  readonly fields: readonly { readonly key: string; readonly node: FilterNode }[];
  /** `$or`: at least one alternative matches, on top of the fields. */
  readonly anyOf?: readonly FieldsNode[];
}

type FilterNode = LeafNode | FieldsNode;

interface PointerMessage {
  readonly pointer: string;
  readonly message: string;
}

type ParseResult =
  | { readonly ok: true; readonly filter: FieldsNode }
  | { readonly ok: false; readonly errors: readonly PointerMessage[] };

/** Bounds that keep evaluation cheap: measured in docs/benchmarks.md ("Payload filters"). */
const FILTER_LIMITS = {
  /** The filter as compact JSON. */
  maxBytes: 4096,
  /** Nested objects, counting the filter itself and each `$or` level. */
  maxDepth: 8,
  /** Conditions in the whole filter (the SNS filter-policy limit is 150 combinations). */
  maxConditions: 150,
  /** Alternatives of one `$or`. */
  maxAlternatives: 10,
  maxKeyLength: 128,
} as const;

const ENVELOPE_FIELDS: readonly string[] = ['type', 'tenantId', 'data'];
const NUMERIC_OPS: readonly string[] = ['<', '<=', '=', '>=', '>'];
const MAX_ERRORS = 20;

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${escapeToken(String(token))}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLiteral(value: unknown): value is Literal {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

class Parser {
  readonly errors: PointerMessage[] = [];
  conditions = 0;

  fail(pointer: string, message: string): undefined {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ pointer, message });
    return undefined;
  }

  /** An object of fields; at the top only the envelope's fields are allowed. */
  fields(value: unknown, pointer: string, depth: number, top: boolean): FieldsNode | undefined {
    if (!isPlainObject(value)) {
      return this.fail(
        pointer,
        'must be an object of fields, e.g. {"data": {"amount": [{"numeric": [">", 100]}]}}',
      );
    }
    if (depth > FILTER_LIMITS.maxDepth) {
      return this.fail(pointer, `nests deeper than ${FILTER_LIMITS.maxDepth} levels`);
    }
    const keys = Object.keys(value);
    if (keys.length === 0) return this.fail(pointer, 'is empty: name at least one field');
    const fields: { key: string; node: FilterNode }[] = [];
    let anyOf: FieldsNode[] | undefined;
    for (const key of keys) {
      const at = childPointer(pointer, key);
      const child = value[key];
      if (key === '$or') {
        anyOf = this.alternatives(child, at, depth, top);
        continue;
      }
      if (top && !ENVELOPE_FIELDS.includes(key)) {
        this.fail(at, `is not a field a filter can read: use "type", "tenantId", "data" or "$or"`);
        continue;
      }
      if (key.length === 0 || key.length > FILTER_LIMITS.maxKeyLength || key.startsWith('$')) {
        this.fail(
          at,
          `is not a usable field name (1 to ${FILTER_LIMITS.maxKeyLength} characters, not starting with "$")`,
        );
        continue;
      }
      if (top && key === 'data') {
        const node = this.fields(child, at, depth + 1, false);
        if (node !== undefined) fields.push({ key, node });
        continue;
      }
      const node = Array.isArray(child)
        ? this.leaf(child, at, top)
        : isPlainObject(child) && !top
          ? this.fields(child, at, depth + 1, false)
          : this.fail(at, 'must be an array of conditions (e.g. ["EUR"]) or an object of fields');
      if (node !== undefined) fields.push({ key, node });
    }
    return { kind: 'fields', pointer, fields, ...(anyOf !== undefined ? { anyOf } : {}) };
  }

  alternatives(value: unknown, pointer: string, depth: number, top: boolean): FieldsNode[] | undefined {
    if (!Array.isArray(value) || value.length < 2 || value.length > FILTER_LIMITS.maxAlternatives) {
      return this.fail(pointer, `"$or" must be an array of 2 to ${FILTER_LIMITS.maxAlternatives} objects`);
    }
    const parsed = value.map((alt, i) => this.fields(alt, childPointer(pointer, i), depth + 1, top));
    return parsed.every((p) => p !== undefined) ? (parsed as FieldsNode[]) : undefined;
  }

  leaf(value: unknown[], pointer: string, envelope: boolean): LeafNode | undefined {
    if (value.length === 0) return this.fail(pointer, 'is an empty array, which matches nothing');
    const conditions: Located<Condition>[] = [];
    value.forEach((item, i) => {
      const at = childPointer(pointer, i);
      this.conditions += 1;
      if (this.conditions === FILTER_LIMITS.maxConditions + 1) {
        this.fail(at, `the filter has more than ${FILTER_LIMITS.maxConditions} conditions`);
      }
      const condition = this.condition(item, at);
      if (condition === undefined) return;
      if (
        envelope &&
        !['equals', 'prefix', 'suffix', 'anything-but', 'anything-but-prefix'].includes(condition.kind)
      ) {
        this.fail(at, 'on "type" and "tenantId" use strings, "prefix", "suffix" or "anything-but"');
        return;
      }
      if (envelope && condition.kind === 'equals' && typeof condition.value !== 'string') {
        this.fail(at, 'must be a string: "type" and "tenantId" are strings');
        return;
      }
      conditions.push({ pointer: at, value: condition });
    });
    if (conditions.length !== value.length) return undefined;
    const values = new Set<Literal>();
    const operators: Condition[] = [];
    for (const { value: c } of conditions) {
      if (c.kind === 'equals') values.add(c.value);
      else operators.push(c);
    }
    return { kind: 'leaf', pointer, conditions, values, operators };
  }

  condition(item: unknown, pointer: string): Condition | undefined {
    if (isLiteral(item)) return { kind: 'equals', value: item };
    if (!isPlainObject(item)) {
      return this.fail(
        pointer,
        'must be a string, number, boolean, null or an operator object such as {"prefix": "a"}',
      );
    }
    const keys = Object.keys(item);
    if (keys.length !== 1) {
      return this.fail(pointer, 'an operator object has exactly one operator, e.g. {"numeric": [">", 0]}');
    }
    const op = keys[0]!;
    const operand = item[op];
    const at = childPointer(pointer, op);
    switch (op) {
      case 'prefix':
      case 'suffix':
      case 'equals-ignore-case':
        if (typeof operand !== 'string' || (op !== 'equals-ignore-case' && operand.length === 0)) {
          return this.fail(at, `"${op}" takes a non-empty string`);
        }
        return { kind: op, value: operand };
      case 'exists':
        if (typeof operand !== 'boolean') return this.fail(at, '"exists" takes true or false');
        return { kind: 'exists', value: operand };
      case 'numeric':
        return this.numeric(operand, at);
      case 'anything-but':
        return this.anythingBut(operand, at);
      default:
        return this.fail(
          at,
          `is not a supported operator: use "prefix", "suffix", "equals-ignore-case", "numeric", "exists" or "anything-but"`,
        );
    }
  }

  numeric(operand: unknown, pointer: string): Condition | undefined {
    const usage = '"numeric" takes [op, number] or [">"|">=", low, "<"|"<=", high], op one of < <= = >= >';
    if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4))
      return this.fail(pointer, usage);
    const bounds: { op: NumericOp; value: number }[] = [];
    for (let i = 0; i < operand.length; i += 2) {
      const op = operand[i];
      const value = operand[i + 1];
      if (typeof op !== 'string' || !NUMERIC_OPS.includes(op))
        return this.fail(childPointer(pointer, i), usage);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return this.fail(childPointer(pointer, i + 1), 'must be a number');
      }
      bounds.push({ op: op as NumericOp, value });
    }
    if (bounds.length === 2) {
      const [low, high] = bounds as [{ op: NumericOp; value: number }, { op: NumericOp; value: number }];
      if (!(low.op === '>' || low.op === '>=') || !(high.op === '<' || high.op === '<=')) {
        return this.fail(pointer, 'a range is a lower bound (> or >=) then an upper bound (< or <=)');
      }
      if (low.value > high.value || (low.value === high.value && (low.op === '>' || high.op === '<'))) {
        return this.fail(pointer, 'is an empty range: no number matches it');
      }
    }
    return { kind: 'numeric', bounds };
  }

  anythingBut(operand: unknown, pointer: string): Condition | undefined {
    if (isLiteral(operand)) return { kind: 'anything-but', values: [operand] };
    if (Array.isArray(operand)) {
      if (operand.length === 0 || !operand.every(isLiteral)) {
        return this.fail(
          pointer,
          '"anything-but" takes a value, a non-empty array of values, or {"prefix"|"suffix": "..."}',
        );
      }
      return { kind: 'anything-but', values: operand };
    }
    if (isPlainObject(operand) && Object.keys(operand).length === 1) {
      const [op] = Object.keys(operand) as [string];
      const value = operand[op];
      if ((op === 'prefix' || op === 'suffix') && typeof value === 'string' && value.length > 0) {
        return { kind: op === 'prefix' ? 'anything-but-prefix' : 'anything-but-suffix', value };
      }
    }
    return this.fail(
      pointer,
      '"anything-but" takes a value, a non-empty array of values, or {"prefix"|"suffix": "..."}',
    );
  }
}

/** Parses a filter as it came in a request body; checks syntax and limits, not the schema. */
function parseFilter(value: unknown): ParseResult {
  const parser = new Parser();
  const text = JSON.stringify(value) ?? '';
  if (Buffer.byteLength(text, 'utf8') > FILTER_LIMITS.maxBytes) {
    return {
      ok: false,
      errors: [{ pointer: '', message: `is longer than ${FILTER_LIMITS.maxBytes} bytes as JSON` }],
    };
  }
  const filter = parser.fields(value, '', 1, true);
  if (filter === undefined || parser.errors.length > 0) {
    return {
      ok: false,
      errors: parser.errors.length > 0 ? parser.errors : [{ pointer: '', message: 'is not a filter' }],
    };
  }
  return { ok: true, filter };
}

export type {
  Condition,
  FieldsNode,
  FilterNode,
  LeafNode,
  Literal,
  Located,
  NumericOp,
  ParseResult,
  PointerMessage,
};
export { FILTER_LIMITS, isPlainObject, parseFilter };
