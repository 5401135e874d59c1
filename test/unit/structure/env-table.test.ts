import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/internals.md "Environment variables of the functions" lists exactly the variables the Lambda
 * code reads: a new one without its row, or a row left behind, fails here.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');

function readByLambdas(): Set<string> {
  const names = new Set<string>();
  const dir = path.join(ROOT, 'lambdas');
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/process\.env\.(HERALD_[A-Z0-9_]+)|'(HERALD_[A-Z0-9_]+)'/g)) {
      names.add(match[1] ?? match[2]!);
    }
  }
  return names;
}

function documented(): Set<string> {
  const doc = readFileSync(path.join(ROOT, 'docs/internals.md'), 'utf8');
  const start = doc.indexOf('## Environment variables of the functions');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const first = /^\| `(HERALD_[A-Z0-9_]+)` \|/.exec(line);
    if (first) names.add(first[1]!);
  }
  return names;
}

describe('the environment-variable table', () => {
  it('lists every variable the functions read, and nothing else', () => {
    const read = [...readByLambdas()].sort();
    expect(read.length).toBeGreaterThan(20);
    expect([...documented()].sort()).toEqual(read);
  });
});
