/**
 * JSON kept as text. `JSON.parse` turns every number into a double, so 1234567890123456789 comes back
 * as 1234567890123456800 and 1e-200 survives only by luck; an event's `data` is therefore carried as
 * the producer's own text from ingest to the receiver, and only spliced into the JSON around it.
 * These helpers work on text that `JSON.parse` has already accepted (so it is well-formed): they only
 * need to find where values start and end, which is string- and nesting-aware scanning.
 */

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Index just past the string literal that starts at `start` (a `"`). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text.charCodeAt(i);
    if (char === 0x5c /* \ */) i += 2;
    else if (char === 0x22 /* " */) return i + 1;
    else i++;
  }
  throw new SyntaxError('unterminated string');
}

function skipWhitespace(text: string, start: number): number {
  let i = start;
  while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the JSON value that starts at `start` (no leading whitespace). */
function endOfValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === 0x22) return endOfString(text, start);
  if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) {
    // number, true, false, null: runs until a delimiter.
    let i = start;
    while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const char = text.charCodeAt(i);
    if (char === 0x22) {
      i = endOfString(text, i);
      continue;
    }
    if (char === 0x7b || char === 0x5b) depth++;
    else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new SyntaxError('unterminated value');
}

/**
 * The text of member `name` of the top-level object in `text`, or undefined when it has none. Like
 * `JSON.parse`, the last of duplicate members wins, and member names are compared decoded (so
 * `"d\u0061ta"` is `data`).
 */
function memberText(text: string, name: string): string | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') return undefined;
  i = skipWhitespace(text, i + 1);
  let found: string | undefined;
  while (i < text.length && text[i] !== '}') {
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // past ':'
    const valueEnd = endOfValue(text, i);
    if (key === name) found = text.slice(i, valueEnd);
    i = skipWhitespace(text, valueEnd);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return found;
}

/** `text` without the whitespace between tokens; strings and numbers are kept byte for byte. */
function minify(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text.charCodeAt(i);
    if (char === 0x22) {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end;
    } else {
      if (!WHITESPACE.has(char)) out += text[i];
      i++;
    }
  }
  return out;
}

/**
 * `JSON.stringify(value)` with the members `raw` names spliced in as given text (each must be valid
 * JSON). Placeholders carry a random nonce, so no string in `value` can be mistaken for one.
 */
function stringifyWithRaw(value: unknown, raw: ReadonlyMap<object, string>): string {
  const nonce = `herald-raw-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const texts: string[] = [];
  const json = JSON.stringify(value, function replacer(this: unknown, _key, child: unknown) {
    if (child !== null && typeof child === 'object' && raw.has(child)) {
      texts.push(raw.get(child)!);
      return `${nonce}-${texts.length - 1}`;
    }
    return child;
  });
  return json.replace(new RegExp(`"${nonce}-(\\d+)"`, 'g'), (_m, index: string) => texts[Number(index)]!);
}

export { memberText, minify, stringifyWithRaw };
