/**
 * What the two publish routes (POST /v1/events and POST /v1/events/batch) share about an accepted
 * event and its Idempotency-Key record, so that one key names one event whichever route used it.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyUnknownError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { config } from '../shared/config.js';
import { IdempotencyKeyInFlightError, IdempotencyKeyReusedError, TransientError } from '../shared/errors.js';

/** The `202` body of a publish (and a batch item's, with `status`). */
interface Accepted {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly createdAt: string;
}

/** How long an Idempotency-Key is remembered. */
const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** The Powertools key prefix of publish records: the same for both routes. */
const IDEMPOTENCY_KEY_PREFIX = 'herald-ingest';

/** Powertools' idempotency errors as the API's problems (422, 409, 503); anything else unchanged. */
function idempotencyProblem(error: unknown): unknown {
  if (error instanceof IdempotencyValidationError) {
    return new IdempotencyKeyReusedError('This Idempotency-Key was already used with a different body');
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new IdempotencyKeyInFlightError('A request with this Idempotency-Key is still in progress; retry');
  }
  if (error instanceof IdempotencyUnknownError) {
    return new TransientError('The idempotency store is unavailable; retry', { cause: error });
  }
  return error;
}

interface IdempotentAccept<R> {
  readonly config: IdempotencyConfig;
  readonly accept: (request: R) => Promise<Accepted>;
}

/**
 * `accept` made idempotent on the request's `key` (its `input` must match a stored record's), with
 * the publish records' prefix and window. Built at first call, so configuration is read from the
 * environment once; each route gets its own persistence layer (sharing one mixes up stored results).
 */
function lazyIdempotentAccept<R extends { readonly key: string; readonly input: unknown }>(
  accept: (request: R) => Promise<Accepted>,
): () => IdempotentAccept<R> {
  let built: IdempotentAccept<R> | undefined;
  return () => {
    if (built === undefined) {
      const idempotencyConfig = new IdempotencyConfig({
        eventKeyJmesPath: 'key',
        payloadValidationJmesPath: 'input',
        expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
      });
      built = {
        config: idempotencyConfig,
        accept: makeIdempotent(accept, {
          persistenceStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable() }),
          config: idempotencyConfig,
          keyPrefix: IDEMPOTENCY_KEY_PREFIX,
        }),
      };
    }
    return built;
  };
}

export type { Accepted };
export { idempotencyProblem, lazyIdempotentAccept };
