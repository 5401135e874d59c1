/**
 * Renders the hostile-input records (test/e2e/support/report.ts `recordHostile`) as one markdown table
 * per category for docs/reliability.md. Pure: records in, markdown out; scripts/drills.ts writes it.
 */
import { HOSTILE_CATEGORIES, type HostileCategory, type HostileRecord } from '../test/e2e/support/report.js';

/** Where each category's cases live, and what the table cannot show; printed under its heading. */
const NOTES: Record<HostileCategory, string> = {
  bodies:
    'POST /v1/events with hostile bodies and headers (test/e2e/hostile/bodies.test.ts) and drill 8 (test/e2e/drills/08-hostile-input.test.ts). "Nothing stored": the tenant\'s event list did not grow.',
  schemas:
    'Registered schemas that would pin ingest, and publishes against costly ones (test/e2e/hostile/schemas.test.ts). "Nothing stored": for a registration, the type does not exist afterwards; for a publish, the tenant\'s event list did not grow.',
  'auth and tenants':
    'Missing, malformed, unknown and revoked keys, roles beyond their rights, and cross-tenant access (test/e2e/hostile/auth.test.ts). The test checks storage once, after the whole table (its own row).',
  'SSRF spellings':
    'Endpoint URLs in forbidden address space, in every spelling, and unacceptable URLs (test/e2e/hostile/ssrf.test.ts). "Nothing stored": the tenant\'s endpoint list stayed as it was.',
  signatures:
    'No end-to-end test tampers with a signed webhook: tampered bodies, ids and timestamps are covered by unit tests only (test/unit/webhooks/signing.test.ts, test/local/receiver.test.ts). The rows here are what e2e does observe: a webhook checked by `standardwebhooks` with a retired secret (test/e2e/hostile/secrets.test.ts).',
  secrets:
    'Signing-secret rotation limits and the plaintext check of the local table (test/e2e/hostile/secrets.test.ts). "Nothing stored": no `whsec_` secret in any table.',
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function storedCell(value: boolean | undefined): string {
  if (value === undefined) return 'not checked';
  return value ? 'yes' : '**NO**';
}

/** "3 × 400 invalid_request, 1 × 413 payload_too_large", in first-seen order. */
function answers(records: readonly HostileRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = [r.status ?? '—', r.code ?? '(no code)'].join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
}

function renderHostileTables(records: readonly HostileRecord[]): string {
  const lines: string[] = ['## Hostile input', ''];
  lines.push(
    'One row per case the hostile e2e tests ran, with the status and code of the real response and the',
  );
  lines.push(
    'test\'s own "nothing stored" check. Recorded through `recordHostile` (test/e2e/support/report.ts).',
  );
  for (const category of HOSTILE_CATEGORIES) {
    const rows = records.filter((r) => r.category === category);
    lines.push('', `### ${category}`, '', NOTES[category], '');
    if (rows.length === 0) {
      lines.push('No case recorded in this run.');
      continue;
    }
    const checked = rows.filter((r) => r.nothingStored !== undefined);
    const clean = checked.filter((r) => r.nothingStored === true).length;
    lines.push(
      `${rows.length} cases; answered ${answers(rows)}; ${
        checked.length === 0 ? 'no stored check' : `nothing stored in ${clean} of ${checked.length} checked`
      }.`,
    );
    lines.push('', '| case | status | code | nothing stored |', '|---|---|---|---|');
    for (const r of rows) {
      lines.push(
        `| ${cell(r.case)} | ${r.status ?? '—'} | ${cell(r.code ?? '—')} | ${storedCell(r.nothingStored)} |`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

export { renderHostileTables };
