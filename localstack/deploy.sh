#!/bin/sh
# Deploys the Herald stack to LocalStack with cdklocal, creates the first admin key, and writes the
# API URL and key to $HERALD_LOCALSTACK_STATE for e2e.sh. Run from the repository root after bootstrap.sh.
set -eu
cd "$(dirname "$0")/.."
. localstack/env.sh

outputs=$(mktemp)
trap 'rm -f "$outputs"' EXIT

# Loopback webhooks allowed so the e2e receiver on the host can be registered (as in the local runtime);
# retry waits scaled down so the suite's retry scenarios finish in seconds.
sh scripts/with-node.sh npx --yes aws-cdk-local deploy "$HERALD_STACK" \
  --require-approval never --no-notices \
  --context herald:allowLoopbackWebhooks=true \
  --context herald:retryTimeScale=0.001 \
  --outputs-file "$outputs"

value() {
  sh scripts/with-node.sh node -e '
    const out = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]] ?? {};
    const key = Object.keys(out).find((k) => k === process.argv[3] || k.startsWith(process.argv[3]));
    if (key === undefined) { console.error("deploy: output " + process.argv[3] + " missing"); process.exit(1); }
    process.stdout.write(out[key]);
  ' "$outputs" "$HERALD_STACK" "$1"
}

api_url=$(value ApiUrl)
table=$(value MainTableName)

# The documented way to get the first admin key (scripts/create-admin-key.ts), pointed at LocalStack.
admin_key=$(AWS_ENDPOINT_URL_DYNAMODB="$LOCALSTACK_ENDPOINT" HERALD_TABLE="$table" \
  sh scripts/with-node.sh npx tsx scripts/create-admin-key.ts --name localstack-e2e | tail -n 1)

mkdir -p "$(dirname "$HERALD_LOCALSTACK_STATE")"
umask 077
sh scripts/with-node.sh node -e '
  require("node:fs").writeFileSync(process.argv[1], JSON.stringify({ apiUrl: process.argv[2], adminApiKey: process.argv[3] }, null, 2));
' "$HERALD_LOCALSTACK_STATE" "$api_url" "$admin_key"
echo "deploy: $HERALD_STACK deployed; API $api_url; admin key written to $HERALD_LOCALSTACK_STATE"
