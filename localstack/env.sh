# Sourced by the scripts in this directory: endpoints and fake credentials for LocalStack.
# shellcheck shell=sh
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export AWS_REGION="$AWS_DEFAULT_REGION"
export LOCALSTACK_ENDPOINT="${LOCALSTACK_ENDPOINT:-http://localhost:4566}"
export AWS_ENDPOINT_URL="$LOCALSTACK_ENDPOINT"
export HERALD_STACK="${HERALD_STACK:-Herald}"
# Where deploy.sh leaves the stack outputs and the admin key for e2e.sh.
export HERALD_LOCALSTACK_STATE="${HERALD_LOCALSTACK_STATE:-.herald/localstack.json}"
export CDK_DISABLE_VERSION_CHECK=1
export CDK_DISABLE_CLI_TELEMETRY=true
