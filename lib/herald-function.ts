import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaEngineScript = path.join(projectRoot, 'lib/bundling/json-schema-engine.mjs');

/**
 * Memory of the functions every event runs through: they mostly wait, and Lambda bills the wait per MB;
 * 256 holds the measured peak (docs/internals.md "Memory of the functions").
 */
const PER_EVENT_MEMORY_MB = 256;

/** CDK context that sets every function's Lambda system log level (docs/internals.md "Logs"). */
const SYSTEM_LOG_LEVEL_CONTEXT = 'herald:systemLogLevel';

/**
 * Lambda's own log lines (platform.start and platform.report in the JSON format) at WARN by default:
 * at INFO they are written for every invocation, CloudWatch Logs ingestion per invocation that
 * docs/cost.md prices, and nothing a runbook reads. `-c herald:systemLogLevel=INFO` (or DEBUG) brings them back while debugging;
 * the application's own logs (Powertools) are unaffected either way.
 */
function systemLogLevelOf(scope: Construct): SystemLogLevel {
  const raw = scope.node.tryGetContext(SYSTEM_LOG_LEVEL_CONTEXT) as unknown;
  if (raw === undefined) return SystemLogLevel.WARN;
  const level = String(raw).toUpperCase();
  if (level !== 'DEBUG' && level !== 'INFO' && level !== 'WARN') {
    throw new Error(`Context ${SYSTEM_LOG_LEVEL_CONTEXT} must be DEBUG, INFO or WARN, got ${String(raw)}`);
  }
  return level as SystemLogLevel;
}

interface HeraldFunctionProps {
  /** Handler file, relative to the project root (e.g. `lambdas/api/ingest.handler.ts`); it exports `handler`. */
  readonly entry: string;
  /** Environment variables beyond the Powertools defaults. @default {} */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 'herald' */
  readonly serviceName?: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** X-Ray tracing; off because it costs per trace and Herald's metrics and logs carry event ids. @default Tracing.DISABLED */
  readonly tracing?: Tracing;
  /** Shell commands run after esbuild, e.g. to put static files into the bundle. @default none */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
  /** Concurrency reserved for this function (adrs/0011: the delivery functions). @default none */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A Herald Lambda function: Node.js 24 on arm64, bundled by the local esbuild (no Docker) with every
 * dependency inside, the AWS SDK included, so the asset the local runtime runs is the one that deploys
 * and SDK versions are pinned by the lockfile, not by the Lambda runtime.
 */
class HeraldFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HeraldFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Retained with the stack deleted: an investigation after a teardown still has the logs.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Its own role that writes to its own log group only (AWSLambdaBasicExecutionRole would allow
    // every log group in the account); every other permission is granted action by action (lib/access.ts).
    const role = new Role(scope, `${id}ServiceRole`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Herald function ${id}`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      role,
      entry: path.join(projectRoot, props.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      logGroup,
      tracing: props.tracing ?? Tracing.DISABLED,
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: systemLogLevelOf(scope),
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'herald',
        POWERTOOLS_METRICS_NAMESPACE: 'Herald',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node24',
        format: OutputFormat.CJS,
        externalModules: [],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The JSON Schema engine beside the bundle, when the bundle loads it (see esbuildArgs).
          afterBundling: (inputDir, outputDir) => [
            `"${process.execPath}" "${schemaEngineScript}" "${outputDir}"`,
            ...(props.afterBundling?.(inputDir, outputDir) ?? []),
          ],
        },
        // Only what runs on Lambda (docs/benchmarks.md, "Cold start"): the SDK's ES module builds, so
        // esbuild drops the commands and codecs a function never calls (dispatch 690 → ~315 KiB) ...
        mainFields: ['module', 'main'],
        esbuildArgs: {
          // ... the credential chain reduced to the environment Lambda fills (no SSO/INI/STS clients) ...
          '--alias:@aws-sdk/credential-provider-node': path.join(
            projectRoot,
            'lambdas/shared/bundling/lambda-credentials.ts',
          ),
          // ... no browser user-agent parser ...
          '--alias:bowser': path.join(projectRoot, 'lambdas/shared/bundling/no-browser-ua.ts'),
          // ... the endpoint-discovery cache on a Map, not mnemonist's typed-array LRU (~7 KiB) ...
          '--alias:@aws-sdk/endpoint-cache': path.join(
            projectRoot,
            'lambdas/shared/bundling/endpoint-cache.ts',
          ),
          // ... no event-stream codec (no operation Herald calls streams events; ~19 KiB each) ...
          '--alias:@smithy/core/event-streams': path.join(
            projectRoot,
            'lambdas/shared/bundling/no-event-streams.ts',
          ),
          // ... and Ajv (~145 KiB), loaded on first validation only, as a file of its own: the
          // handler bundle a cold start parses holds no JSON Schema engine.
          '--external:./json-schema-engine.js': true,
        },
      },
    });
  }
}

export type { HeraldFunctionProps };
export { HeraldFunction, PER_EVENT_MEMORY_MB };
