/**
 * Both OpenAPI documents pass Redocly's `recommended` rules (redocly.yaml) with no error and no warning:
 * openapi/openapi.json as committed, and the receivers' webhooks document as GET /v1/openapi/webhooks.json
 * builds it, here from the built-in catalog plus one registered type without a schema.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_NAMES, builtInType } from '../../../lambdas/shared/catalog/built-in.js';
import { webhooksDocument } from '../../../lambdas/shared/catalog/webhooks-openapi.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
const CONFIG = join(ROOT, 'redocly.yaml');

interface LintReport {
  readonly totals: { readonly errors: number; readonly warnings: number; readonly ignored: number };
  readonly problems: readonly {
    readonly ruleId: string;
    readonly severity: string;
    readonly message: string;
    readonly location: readonly { readonly pointer: string }[];
  }[];
}

/** Runs `redocly lint` on one file; exit code 1 only means "problems found", which the report lists. */
async function lint(file: string): Promise<LintReport> {
  const run = promisify(execFile);
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const args = [CLI, 'lint', file, '--config', CONFIG, '--format', 'json'];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env }).catch(
    (error: { stdout?: string; code?: number }) => {
      if (error.code === 1 && error.stdout) return { stdout: error.stdout };
      throw error;
    },
  );
  return JSON.parse(stdout) as LintReport;
}

/** The problems as lines a reader can act on, so a failure names the rule and the place. */
function listed(report: LintReport): string[] {
  return report.problems.map(
    (p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'herald-redocly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Redocly recommended rules', () => {
  it('find no problem in openapi/openapi.json', async () => {
    const report = await lint(join(ROOT, 'openapi/openapi.json'));
    expect(listed(report)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });

  it('find no problem in the exported webhooks document', async () => {
    const types = [
      ...BUILT_IN_NAMES.map((name) => builtInType(name)!),
      { name: 'note.added', description: 'A note was added (no schema registered)', version: 0 },
    ];
    const file = join(dir, 'webhooks.json');
    writeFileSync(file, JSON.stringify(webhooksDocument(types), null, 2));
    const report = await lint(file);
    expect(listed(report)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });
});
