/**
 * What a client developer does with Herald's OpenAPI documents: generate types with openapi-typescript
 * (its default options, as `npx openapi-typescript openapi.json -o api.ts` runs), write a program with
 * openapi-fetch, and compile it. The program is type-checked in-process with the TypeScript compiler
 * API, in a folder under node_modules/.cache so `openapi-fetch` resolves as it would in a client's repo.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A folder for one generated client; `remove()` deletes it. */
function clientFolder(): { readonly dir: string; remove(): void } {
  const cache = join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'herald-openapi-client-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** openapi-typescript's output for `document`, with its default options. */
async function generatedTypes(document: Record<string, unknown>): Promise<string> {
  return astToString(await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]));
}

/** Compiles `entry` (strict, as a client would) and answers its diagnostics as readable lines. */
function typeCheck(entry: string): string[] {
  const program = ts.createProgram([entry], {
    strict: true,
    noEmit: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const source = d.file.text.split('\n')[line]?.trim() ?? '';
    return `${d.file.fileName.split('/').pop()}:${line + 1} ${source}\n  ${text}`;
  });
}

export { clientFolder, generatedTypes, typeCheck };
