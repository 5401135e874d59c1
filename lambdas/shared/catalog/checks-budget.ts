/**
 * One event's budget of validation checks (schema-meter.ts), and running a compiled validator within
 * it. Validation that spends the budget, collects too many errors, or recurses past the stack ends in
 * `ChecksSpent`, which callers answer as a problem: 422 at publish, 400 at registration.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { PointerMessage } from './errors.js';
import type { JsonSchemaEngine } from './json-schema-engine.js';
import { toPointerErrors } from './pointer-errors.js';
import { checksBudgetFor } from './schema-meter.js';

/** The checks an event's validation may still spend; one per event, the rounding probes included. */
interface ChecksBudget {
  readonly limit: number;
  left: number;
}

/** The budget of validating a value whose JSON text has `dataChars` characters. */
function newBudget(dataChars: number): ChecksBudget {
  const limit = checksBudgetFor(dataChars);
  return { limit, left: limit };
}

type SpentReason = 'checks' | 'errors' | 'stack';

/** Validation gave up before it could say whether the value is valid. */
class ChecksSpent extends Error {
  override readonly name = 'ChecksSpent';
  constructor(
    /** RFC 6901 pointer into the request (prefixed) where validation stopped. */
    readonly pointer: string,
    /** RFC 6901 pointer into the schema: the subschema being applied then; undefined past the stack. */
    readonly schemaPointer: string | undefined,
    /**
     * `checks`: the budget is spent; `errors`: too many errors collected at once; `stack`: the schema
     * recursed without moving into the data (registered before such schemas were refused).
     */
    readonly reason: SpentReason,
    /** The budget that was spent, in checks. */
    readonly limit: number,
    /** The errors collected when it stopped, deepest first (for `errors`: the first of many). */
    readonly errors: readonly PointerMessage[] = [],
  ) {
    super(`validation stopped (${reason}) at ${pointer || '/'}`);
  }
}

/** Runs `validate` on `value` with the engine's meter set to what is left of `budget`. */
function runMetered(
  engine: JsonSchemaEngine,
  validate: ValidateFunction,
  value: unknown,
  prefix: string,
  budget: ChecksBudget,
): boolean {
  const { meter, ChecksSpentError } = engine;
  meter.left = budget.left;
  try {
    return validate(value);
  } catch (error) {
    if (error instanceof ChecksSpentError) {
      throw new ChecksSpent(
        `${prefix}${error.instancePath}`,
        error.schemaPointer,
        error.reason,
        budget.limit,
        toPointerErrors(error.collected, prefix),
      );
    }
    if (error instanceof RangeError) throw new ChecksSpent(prefix, undefined, 'stack', budget.limit);
    throw error;
  } finally {
    budget.left = Math.max(0, meter.left);
    meter.left = Number.POSITIVE_INFINITY;
  }
}

export type { ChecksBudget };
export { ChecksSpent, newBudget, runMetered };
