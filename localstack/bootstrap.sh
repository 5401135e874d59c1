#!/bin/sh
# Starts LocalStack and CDK-bootstraps it. Run from the repository root: sh localstack/bootstrap.sh
set -eu
cd "$(dirname "$0")/.."
. localstack/env.sh

if ! docker info >/dev/null 2>&1; then
  echo "bootstrap: no Docker engine reachable; LocalStack needs one (the Docker-free path is: npm start)" >&2
  exit 1
fi

docker compose -f localstack/docker-compose.yml up -d --wait

echo "bootstrap: waiting for LocalStack services"
i=0
until curl -fs "$LOCALSTACK_ENDPOINT/_localstack/health" >/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then
    echo "bootstrap: LocalStack did not become healthy in 60 s: docker compose -f localstack/docker-compose.yml logs" >&2
    exit 1
  fi
  sleep 1
done

# HTTP APIs (apigatewayv2) are not in the community image; say so before a deploy fails on them.
if ! curl -fs "$LOCALSTACK_ENDPOINT/_localstack/health" | grep -q '"apigatewayv2"'; then
  echo "bootstrap: warning: this LocalStack has no apigatewayv2 (HTTP API); Herald's EventsApi will not deploy." >&2
  echo "bootstrap: use LOCALSTACK_IMAGE=localstack/localstack-pro with LOCALSTACK_AUTH_TOKEN (see localstack/README.md)" >&2
fi

sh scripts/with-node.sh npx --yes aws-cdk-local bootstrap "aws://000000000000/$AWS_DEFAULT_REGION" --no-notices
echo "bootstrap: done"
