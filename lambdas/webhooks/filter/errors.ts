/** The one error of payload filters: the `invalid_filter` problem clients switch on (docs/api.md). */
import { HeraldError, type HeraldErrorOptions } from '../../shared/errors.js';
import type { PointerMessage } from './pattern.js';

/** A filter that is malformed, over a limit, or cannot match the subscribed types' schemas; `errors` says where. */
class InvalidFilterError extends HeraldError {
  readonly code: string = 'invalid_filter';
  readonly status: number = 400;
  constructor(message: string, errors: readonly PointerMessage[], options: HeraldErrorOptions = {}) {
    super(message, { ...options, detail: { ...options.detail, errors } });
  }
}

export { InvalidFilterError };
