/**
 * Herald's own event types (`schemas/*.json`, bundled through the generated module): served from the
 * bundle, never read from DynamoDB, so publishing them costs no lookup. They are version 1 and read-only
 * through the API; they change with Herald, compatibly (test/unit/catalog/built-in.test.ts).
 */
import type { FromSchema } from 'json-schema-to-ts';
import { BUILT_IN_FILES, BUILT_IN_HISTORY } from './built-in.generated.js';
import type { JsonSchema } from './validator.js';

type BuiltInName = keyof typeof BUILT_IN_FILES;

/** The `data` of an order.placed event, inferred from schemas/order.placed.json. */
type OrderPlaced = FromSchema<(typeof BUILT_IN_FILES)['order.placed']['schema']>;

interface BuiltInType {
  readonly name: string;
  readonly description: string;
  readonly version: 1;
  readonly schema: JsonSchema;
  readonly examples: readonly unknown[];
  /** When the type's schema file first shipped, and last changed (recorded by `npm run gen:catalog`). */
  readonly createdAt: string;
  readonly updatedAt: string;
}

const BUILT_IN_TYPES: ReadonlyMap<string, BuiltInType> = new Map(
  Object.values(BUILT_IN_FILES).map((file) => [
    file.name,
    {
      name: file.name,
      description: file.description,
      version: 1,
      schema: file.schema as unknown as JsonSchema,
      examples: file.examples,
      createdAt: BUILT_IN_HISTORY[file.name].createdAt,
      updatedAt: BUILT_IN_HISTORY[file.name].updatedAt,
    },
  ]),
);

function builtInType(name: string): BuiltInType | undefined {
  return BUILT_IN_TYPES.get(name);
}

/** Built-in names sorted, the order lists show them in. */
const BUILT_IN_NAMES: readonly string[] = [...BUILT_IN_TYPES.keys()].sort();

export type { BuiltInName, BuiltInType, OrderPlaced };
export { BUILT_IN_NAMES, builtInType };
