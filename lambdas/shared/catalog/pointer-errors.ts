/**
 * Ajv's errors as Herald's `{ pointer, message }` list: RFC 6901 pointers into the request
 * (`/data/lines/0/quantity`), most specific first, at most 20.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { PointerMessage } from './errors.js';

const MAX_ERRORS = 20;

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of the value an Ajv error is about: a missing or extra property names the property itself. */
function errorPointer(error: ErrorObject, prefix: string): string {
  const params = error.params as Record<string, unknown>;
  const child =
    error.keyword === 'required' || error.keyword === 'dependentRequired'
      ? params.missingProperty
      : error.keyword === 'additionalProperties'
        ? params.additionalProperty
        : error.keyword === 'unevaluatedProperties'
          ? params.unevaluatedProperty
          : undefined;
  const base = `${prefix}${error.instancePath}`;
  return typeof child === 'string' ? `${base}/${escapePointerToken(child)}` : base;
}

function errorMessage(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
      return 'is required';
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'is not allowed here';
    default:
      return error.message ?? `fails "${error.keyword}"`;
  }
}

function depth(pointer: string): number {
  return pointer === '' ? 0 : pointer.split('/').length - 1;
}

/**
 * Ajv errors as `{ pointer, message }`: deepest pointer first (the field to fix before its containers'
 * `anyOf`/`oneOf` summaries), duplicates dropped, at most 20.
 */
function toPointerErrors(
  errors: readonly ErrorObject[] | null | undefined,
  prefix = '/data',
): PointerMessage[] {
  const seen = new Set<string>();
  const out: Array<PointerMessage & { order: number }> = [];
  (errors ?? []).forEach((error, order) => {
    const pointer = errorPointer(error, prefix);
    const message = errorMessage(error);
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ pointer, message, order });
  });
  out.sort((a, b) => depth(b.pointer) - depth(a.pointer) || a.order - b.order);
  return out.slice(0, MAX_ERRORS).map(({ pointer, message }) => ({ pointer, message }));
}

export { toPointerErrors };
