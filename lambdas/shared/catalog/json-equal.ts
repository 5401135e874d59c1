/**
 * Deep equality of JSON values, for Ajv's `uniqueItems`, `const` and `enum`. Ajv's own (fast-deep-equal)
 * calls a value's `toString` / `valueOf` when they are not Object.prototype's, so parsed JSON such as
 * `[{}, {"toString": ""}]` under `uniqueItems` threw a TypeError instead of validating. This one only
 * reads own keys.
 */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // NaN is not JSON, but keep fast-deep-equal's answer for it.
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

export { jsonEqual };
