#!/bin/sh
# Runs the black-box e2e suite against the stack deploy.sh put on LocalStack.
# Extra arguments go to vitest, e.g.: sh localstack/e2e.sh test/e2e/pipeline.test.ts
set -eu
cd "$(dirname "$0")/.."
. localstack/env.sh

if [ ! -f "$HERALD_LOCALSTACK_STATE" ]; then
  echo "e2e: $HERALD_LOCALSTACK_STATE not found; run sh localstack/deploy.sh first" >&2
  exit 2
fi

read_state() {
  sh scripts/with-node.sh node -e '
    process.stdout.write(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]] ?? "");
  ' "$HERALD_LOCALSTACK_STATE" "$1"
}

HERALD_E2E_TARGET=remote
HERALD_E2E_URL=$(read_state apiUrl)
HERALD_E2E_API_KEY=$(read_state adminApiKey)
export HERALD_E2E_TARGET HERALD_E2E_URL HERALD_E2E_API_KEY

if [ $# -eq 0 ]; then set -- test/e2e; fi
sh scripts/with-node.sh npx vitest run "$@"
