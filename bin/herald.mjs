#!/usr/bin/env node
// Launcher for the `herald` CLI. The CLI is TypeScript (cli/main.ts) so it is type-checked with the
// rest of the project and shares its strictness; tsx's ESM hook (already a dev dependency, used by
// `npm start`) compiles it on the fly, in this same process, so there is no build step and no child.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 5)) {
  process.stderr.write(
    `herald needs Node.js >= 22.5 (this is ${process.versions.node}); try: sh scripts/with-node.sh node bin/herald.mjs\n`,
  );
  process.exit(2);
}

const { register } = await import('tsx/esm/api');
register();
const { main } = await import(new URL('../cli/main.ts', import.meta.url).href);
await main();
