import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The CDK app takes only constants (and types) from the Lambda code (docs/design.md "Layers"); which
 * modules it may import is .dependency-cruiser.cjs's rule, what it may take from them is this test's.
 */
const LIB = path.resolve(import.meta.dirname, '../../../lib');
const CONSTANT = /^[A-Z][A-Z0-9_]*$/;

function importsFromLambdas(source: string): { names: string[]; typeOnly: boolean }[] {
  const found: { names: string[]; typeOnly: boolean }[] = [];
  for (const match of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(\.\.\/)+lambdas\/[^']+'/g)) {
    const names = match[2]!
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    found.push({ names, typeOnly: match[1] !== undefined });
  }
  return found;
}

describe('lib/ takes only constants from lambdas/', () => {
  const files = readdirSync(LIB, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

  it('finds the CDK modules', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)('%s', (file) => {
    const source = readFileSync(path.join(LIB, file), 'utf8');
    for (const { names, typeOnly } of importsFromLambdas(source)) {
      for (const name of names) {
        if (typeOnly || name.startsWith('type ')) continue;
        expect(name, `${file} imports ${name} from lambdas/`).toMatch(CONSTANT);
      }
    }
  });

  it('the check would catch a function import', () => {
    const offending = importsFromLambdas(
      "import { startRetry } from '../lambdas/webhooks/retry-workflow.js';",
    );
    expect(offending).toEqual([{ names: ['startRetry'], typeOnly: false }]);
    expect('startRetry').not.toMatch(CONSTANT);
  });
});
