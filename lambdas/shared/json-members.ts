/**
 * Two things `JSON.parse` hides, found on the producer's own text (issue 20, finding 4): a member name
 * given twice in one object (`JSON.parse` keeps the last, a receiver's parser may keep the first, so a
 * schema checked one value and the receiver acts on another), and numbers that do not survive the
 * round trip to a double (`100.00000000000000000001` is checked as 100 but delivered as written).
 * The text has already been accepted by `JSON.parse`, so the scan only tracks structure.
 */

interface NumberToken {
  /** RFC 6901 pointer, relative to the scanned value. */
  readonly pointer: string;
  readonly text: string;
}

interface JsonScan {
  /** Pointer to the second occurrence of the first member name given twice in one object. */
  readonly duplicate?: string;
  /** Every number literal, with where it is. */
  readonly numbers: readonly NumberToken[];
}

const WS = /[\s]/;

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Scans well-formed JSON text (already accepted by JSON.parse). */
function scanJson(text: string): JsonScan {
  let i = 0;
  let duplicate: string | undefined;
  const numbers: NumberToken[] = [];
  const skip = () => {
    while (i < text.length && WS.test(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string): void => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skip();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        const name = readString();
        const at = `${pointer}/${escapeToken(name)}`;
        if (seen.has(name)) duplicate ??= at;
        seen.add(name);
        skip();
        i++; // :
        value(at);
        skip();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        value(`${pointer}/${index}`);
        skip();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    const start = i;
    while (i < text.length && /[-+0-9.eEtruefalsn]/.test(text[i]!)) i++;
    const token = text.slice(start, i);
    if (/^-?\d/.test(token)) numbers.push({ pointer, text: token });
  };
  value('');
  return { ...(duplicate !== undefined ? { duplicate } : {}), numbers };
}

/** A decimal literal as (sign, significant digits, exponent), so equal values compare equal as text. */
function canonicalDecimal(literal: string): string | undefined {
  const match = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (match === null) return undefined;
  const fraction = match[3] ?? '';
  let digits = `${match[2]}${fraction}`.replace(/^0+/, '');
  let exponent = Number(match[4] ?? 0) - fraction.length;
  if (digits === '') return '0';
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return `${match[1] ?? ''}${digits}e${exponent}`;
}

/** Whether a number literal means exactly what a validator sees after JSON.parse (a double). */
function survivesRoundTrip(literal: string): boolean {
  const parsed = Number(literal);
  if (!Number.isFinite(parsed)) return false;
  return canonicalDecimal(literal) === canonicalDecimal(String(parsed));
}

export type { JsonScan, NumberToken };
export { canonicalDecimal, scanJson, survivesRoundTrip };
