import { describe, expect, it } from 'vitest';
import { renderHostileTables } from '../../../scripts/hostile-tables.js';
import type { HostileRecord } from '../../e2e/support/report.js';

const rec = (r: Partial<HostileRecord> & Pick<HostileRecord, 'category' | 'case'>): HostileRecord => ({
  status: undefined,
  code: undefined,
  nothingStored: undefined,
  ...r,
});

describe('renderHostileTables', () => {
  it('renders one table per category, in order, with tallies and the stored count', () => {
    const md = renderHostileTables([
      rec({
        category: 'SSRF spellings',
        case: 'loopback',
        status: 400,
        code: 'forbidden_address',
        nothingStored: true,
      }),
      rec({
        category: 'bodies',
        case: 'empty | body',
        status: 400,
        code: 'invalid_request',
        nothingStored: true,
      }),
      rec({ category: 'bodies', case: 'huge', status: 413, code: 'payload_too_large', nothingStored: false }),
      rec({ category: 'bodies', case: 'cursor', status: 400, code: 'invalid_request' }),
    ]);
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual([
      '### bodies',
      '### schemas',
      '### auth and tenants',
      '### SSRF spellings',
      '### signatures',
      '### secrets',
    ]);
    expect(md).toContain(
      '3 cases; answered 2 × 400 invalid_request, 1 × 413 payload_too_large; nothing stored in 1 of 2 checked.',
    );
    expect(md).toContain('| empty \\| body | 400 | invalid_request | yes |');
    expect(md).toContain('| huge | 413 | payload_too_large | **NO** |');
    expect(md).toContain('| cursor | 400 | invalid_request | not checked |');
    expect(md).toContain('1 cases; answered 1 × 400 forbidden_address; nothing stored in 1 of 1 checked.');
  });

  it('says so for a category with no records, and keeps its note', () => {
    const md = renderHostileTables([]);
    const signatures = md.slice(md.indexOf('### signatures'), md.indexOf('### secrets'));
    expect(signatures).toContain('unit tests only');
    expect(signatures).toContain('No case recorded in this run.');
    expect(signatures).not.toContain('| case |');
  });

  it('shows a dash where a case has no status or code', () => {
    const md = renderHostileTables([rec({ category: 'secrets', case: 'table scan', nothingStored: true })]);
    expect(md).toContain('| table scan | — | — | yes |');
    expect(md).toContain('(no code)');
    expect(renderHostileTables([rec({ category: 'signatures', case: 'x', code: 'E' })])).toContain(
      '1 cases; answered 1 × — E; no stored check.',
    );
  });
});
