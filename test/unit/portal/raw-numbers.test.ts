import { describe, expect, it } from 'vitest';
import { parseKeepingNumbers, stringifyKeepingNumbers } from '../../../portal/src/raw-numbers.js';

describe('numbers as written in the portal (issue 20, finding 9)', () => {
  it('shows a number past double precision digit for digit', () => {
    const text =
      '{"event":{"data":{"big":123456789012345678901234567890,"id":1234567890123456789,"n":[1,2.5]}}}';
    const shown = stringifyKeepingNumbers(parseKeepingNumbers(text));
    expect(shown).toContain('"big": 123456789012345678901234567890');
    expect(shown).toContain('"id": 1234567890123456789');
    expect(shown).not.toContain('e+29');
    expect(JSON.parse(shown)).toEqual({
      event: { data: { big: 1.2345678901234568e29, id: 1234567890123456800, n: [1, 2.5] } },
    });
  });

  it('leaves ordinary values as JSON.parse reads them, and writes precise decimals as sent', () => {
    const parsed = parseKeepingNumbers('{"a":1,"b":"x","c":[true,null],"d":100.0}') as Record<
      string,
      unknown
    >;
    expect(parsed.a).toBe(1);
    expect(parsed.b).toBe('x');
    expect(stringifyKeepingNumbers(parsed, 0)).toBe('{"a":1,"b":"x","c":[true,null],"d":100.0}');
  });
});
