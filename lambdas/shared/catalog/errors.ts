/** Errors of the event-type catalog; each carries the problem `code` clients switch on (docs/api.md). */
import { HeraldError, type HeraldErrorOptions } from '../errors.js';

/** One failed check, located by an RFC 6901 JSON pointer (into the request for errors, into the new schema for reasons). */
interface PointerMessage {
  readonly pointer: string;
  readonly message: string;
}

/** `data` (or an example) does not match the type's schema; `errors` lists where, most specific first. */
class SchemaValidationFailedError extends HeraldError {
  readonly code: string = 'schema_validation_failed';
  readonly status: number = 400;
  constructor(message: string, errors: readonly PointerMessage[], options: HeraldErrorOptions = {}) {
    super(message, { ...options, detail: { ...options.detail, errors } });
  }
}

/**
 * Validation of `data` stopped before it could say yes or no: it needed more checks than the event's
 * budget, or collected too many errors at once (schema-meter.ts). Not retryable as is.
 */
class ValidationTooCostlyError extends HeraldError {
  readonly code: string = 'validation_too_costly';
  readonly status: number = 422;
  constructor(message: string, errors: readonly PointerMessage[], options: HeraldErrorOptions = {}) {
    super(message, { ...options, detail: { ...options.detail, errors } });
  }
}

/** A new schema version would refuse events the current one accepts; `reasons` says why. */
class SchemaIncompatibleError extends HeraldError {
  readonly code: string = 'schema_incompatible';
  readonly status: number = 409;
  constructor(message: string, reasons: readonly PointerMessage[]) {
    super(message, { detail: { reasons } });
  }
}

/** A strict deployment refuses types that are not in the catalog. */
class UnknownEventTypeError extends HeraldError {
  readonly code: string = 'unknown_event_type';
  readonly status: number = 400;
}

/** The type was archived: its history is readable, but it can no longer be published. */
class EventTypeArchivedError extends HeraldError {
  readonly code: string = 'event_type_archived';
  readonly status: number = 400;
}

export type { PointerMessage };
export {
  EventTypeArchivedError,
  SchemaIncompatibleError,
  SchemaValidationFailedError,
  UnknownEventTypeError,
  ValidationTooCostlyError,
};
