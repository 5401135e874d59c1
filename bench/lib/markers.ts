/** Replaces generated sections of a Markdown file between `<!-- name:start -->` / `<!-- name:end -->`. */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

function replaceBetweenMarkers(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  const block = `${start}\n${content.trim()}\n${end}`;
  if (from === -1 || to === -1 || to < from) {
    // No markers yet: append the section so the figures are never silently dropped.
    return `${document.trimEnd()}\n\n${block}\n`;
  }
  return document.slice(0, from) + block + document.slice(to + end.length);
}

/** Rewrites one generated section of a file in place (creating the file when it is missing). */
function updateGeneratedSection(path: string, name: string, content: string): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, replaceBetweenMarkers(current, name, content));
}

export { replaceBetweenMarkers, updateGeneratedSection };
