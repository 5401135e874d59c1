/**
 * Numbers as written. The API answers `data` digit for digit (API.md), but `JSON.parse` makes doubles:
 * 123456789012345678901234567890 would show as 1.2345678901234568e+29. A number whose source text is not
 * what the double prints is kept as its source (JSON.parse's `context.source`) and shown as such.
 */

class RawNumber {
  constructor(readonly source: string) {}
}

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

const keepSource: Reviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined && String(value) !== context.source
    ? new RawNumber(context.source)
    : value;

/** JSON.parse, with every number that a double would change kept as written. */
function parseKeepingNumbers(text: string): unknown {
  return JSON.parse(text, keepSource as Parameters<typeof JSON.parse>[1]);
}

/** JSON.stringify (indented) that writes kept numbers back as they were written. */
function stringifyKeepingNumbers(value: unknown, indent = 2): string {
  const raws: string[] = [];
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (v instanceof RawNumber ? `\u0000raw${raws.push(v.source) - 1}\u0000` : v),
    indent,
  );
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)] ?? '');
}

export { parseKeepingNumbers, stringifyKeepingNumbers };
