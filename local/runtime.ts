// startHerald(): runs a synthesized Herald cloud assembly on this machine (see docs/local-runtime.md).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createLocalAdminKey } from './admin-key.js';
import { createTables, startDynamo } from './dynamo.js';
import { FAKE_CREDENTIALS, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './env.js';
import { putEvent } from './event-rules.js';
import { EventSourcePoller } from './event-source-poller.js';
import { functionSpecs, registerFunctions } from './functions.js';
import { LocalHttpApi } from './http-api.js';
import type { LocalResource, ResolveContext } from './intrinsics.js';
import { LocalKms } from './kms.js';
import { LambdaPool } from './lambda-pool.js';
import { type MetricsLineState, MetricsView, metricsLineDecision } from './metrics.js';
import { functionNames, pathNames, queueNames } from './names.js';
import { RequestCounter, type RequestCounts } from './request-counter.js';
import type { SfnQuotas } from './sfn-quotas.js';
import { createQueues, createTopicsAndSubscriptions, startMessaging } from './sqs-sns.js';
import { type LocalStateMachine, LocalStepFunctions, statusChangeEvent } from './step-functions.js';
import { synthesize } from './synth.js';
import { loadAssembly } from './template.js';
import {
  apiRoutes,
  eventRules,
  eventSourceMappings,
  registerApiAndStateMachines,
  registerKeys,
  registerPlaceholders,
  stateMachines,
} from './wiring.js';

export interface StartOptions {
  /** HTTP API port (0 = a free port). The other endpoints always use free ports. */
  readonly port?: number;
  /** Scales retry waits, ASL retry intervals and SQS visibility timeouts (e.g. 0.01). */
  readonly timeScale?: number;
  /** Keep DynamoDB (LevelDB) and SQS/SNS (SQLite) state in this directory. */
  readonly dataDir?: string;
  /** No function logs and no metrics line on the terminal. */
  readonly quiet?: boolean;
  /** Use the assembly already in `outdir` instead of running `cdk synth`. */
  readonly skipSynth?: boolean;
  readonly outdir?: string;
  /** Where `.herald/local.json` goes (default: the current directory; null = do not write it). */
  readonly stateFile?: string | null;
  /** Worker threads per function at most (a reserved concurrency below it wins). @default 4 */
  readonly poolSize?: number;
  /** Receives every output line (function logs, runtime messages); default: stdout unless quiet. */
  readonly log?: (line: string) => void;
  /** Step Functions' account quotas, played (local/sfn-quotas.ts). @default none */
  readonly sfnQuotas?: SfnQuotas;
}

export interface HeraldLocal {
  readonly apiUrl: string;
  readonly adminApiKey: string;
  readonly sqsEndpoint: string;
  readonly snsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly sfnEndpoint: string;
  /** The local key service playing the template's KMS keys. */
  readonly kmsEndpoint: string;
  readonly metricsUrl: string;
  /** Queue logical id → URL. */
  readonly queues: Readonly<Record<string, string>>;
  /** Function logical id → local function name. */
  readonly functions: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<string, string>>;
  /** State machine logical id → ARN. */
  readonly stateMachines: Readonly<Record<string, string>>;
  /** Logical id (queue, function, table) → the name the API and the CLI use (`job-invoice-dlq`, `ingest`). */
  readonly names: Readonly<Record<string, string>>;
  readonly startupMs: number;
  readonly synthMs: number | undefined;
  /** The dynalite child process (CPU accounting from /proc). */
  readonly dynamoPid: number | undefined;
  /** Fault injection: puts a raw message on a queue (by logical id or name). */
  injectSqsMessage(queue: string, body: string): Promise<string>;
  /** Fault injection: terminates a function's workers (by logical id or name); in-flight invocations fail. */
  killFunctionWorkers(fn: string): Promise<void>;
  /**
   * Drills: deploys other code to a function (by logical id or name), as `update-function-code` does;
   * without `assetDir`, back to the code the assembly staged (a rollback).
   */
  updateFunctionCode(fn: string, code?: { assetDir: string; handler?: string }): Promise<void>;
  /** Invokes a function directly (by logical id or name). */
  invokeFunction(fn: string, event: unknown): Promise<unknown>;
  metrics(): Record<string, unknown>;
  /**
   * AWS calls received so far, counted at the emulators: `dynamodb:<op>` (dynalite), `sqs:<op>` and
   * `sns:(query)` (fauxqs), `states:<op>` (Step Functions), and `lambda:<function label>` invocations.
   */
  requestCounts(): Promise<RequestCounts>;
  stop(): Promise<void>;
}

export async function startHerald(options: StartOptions = {}): Promise<HeraldLocal> {
  const started = Date.now();
  const timeScale = options.timeScale ?? Number(process.env.HERALD_LOCAL_TIME_SCALE ?? 1);
  const outdir = resolve(options.outdir ?? 'cdk.out.local');
  const say =
    options.log ?? ((line: string) => (options.quiet ? undefined : process.stdout.write(`${line}\n`)));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  const pools = new Map<string, LambdaPool>();
  const findPool = (nameOrArnOrId: string): LambdaPool | undefined => {
    const name = nameOrArnOrId.replace(/^arn:aws:lambda:[^:]*:[^:]*:function:/, '').replace(/:\$LATEST$/, '');
    return pools.get(name) ?? [...pools.values()].find((p) => p.spec.logicalId === name);
  };
  const poolFor = (nameOrArnOrId: string): LambdaPool => {
    const pool = findPool(nameOrArnOrId);
    if (pool === undefined) throw new Error(`no local function ${nameOrArnOrId}`);
    return pool;
  };
  const invoke = (fn: string, event: unknown) => poolFor(fn).invoke(event);
  // The HTTP API's port first: a port already taken fails at once (PortInUseError), before the synth
  // and before any emulator or child process exists.
  const http = new LocalHttpApi([], invoke, 'local', (e) =>
    say(`[http] ${e instanceof Error ? e.message : String(e)}`),
  );
  const apiUrl = await http.listen(options.port ?? 0);
  stops.push(() => http.close());

  try {
    const synthMs = options.skipSynth ? undefined : await synthesize({ outdir, timeScale });
    const assembly = loadAssembly(outdir);
    const resources = new Map<string, LocalResource>();
    const ctx: ResolveContext & { resources: Map<string, LocalResource> } = {
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      stackName: assembly.stackName,
      resources,
    };
    if (options.dataDir) {
      // Its tables, queues, master key and admin key are this user's only.
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      chmodSync(options.dataDir, 0o700);
    }
    // dynalite's child process boots (~300 ms) while fauxqs starts here.
    const dynamoStarting = startDynamo(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {});
    const dynamoOrNone = dynamoStarting.catch(() => undefined); // handled here; awaited below
    stops.push(async () => (await dynamoOrNone)?.stop());
    const fauxqs = await startMessaging({
      port: 0,
      region: LOCAL_REGION,
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'fauxqs') } : {}),
    });
    stops.push(() => fauxqs.stop());
    const dynamo = await dynamoStarting;
    const clientConfig = { endpoint: fauxqs.address, region: LOCAL_REGION, credentials: FAKE_CREDENTIALS };
    const sqs = new SQSClient({ ...clientConfig, useQueueUrlAsEndpoint: false });
    const sns = new SNSClient(clientConfig);
    stops.push(async () => {
      sqs.destroy();
      sns.destroy();
    });

    registerPlaceholders(assembly, ctx);
    const kms = new LocalKms(registerKeys(assembly, ctx), masterKey(options.dataDir));
    const kmsEndpoint = await kms.listen(0);
    stops.push(() => kms.close());
    const queues = createQueues(fauxqs, assembly, ctx, timeScale);
    createTopicsAndSubscriptions(fauxqs, assembly, ctx, queues);
    const tables = await createTables(dynamo.endpoint, LOCAL_REGION, assembly, ctx);
    registerFunctions(assembly, ctx);

    // Servers listen before environments are resolved: functions need their URLs.
    const machines = new Map<string, LocalStateMachine>();
    const sfn = new LocalStepFunctions(
      machines,
      {
        invokeFunction: invoke,
        sendMessage: async (input) => {
          const body =
            typeof input.MessageBody === 'string' ? input.MessageBody : JSON.stringify(input.MessageBody);
          const r = await sqs.send(
            new SendMessageCommand({ QueueUrl: String(input.QueueUrl), MessageBody: body }),
          );
          return { MessageId: r.MessageId, MD5OfMessageBody: r.MD5OfMessageBody };
        },
        publish: async (input) => {
          const message = typeof input.Message === 'string' ? input.Message : JSON.stringify(input.Message);
          const r = await sns.send(
            new PublishCommand({ TopicArn: String(input.TopicArn), Message: message }),
          );
          return { MessageId: r.MessageId };
        },
      },
      timeScale,
      (line) => say(`[states] ${line}`),
      options.sfnQuotas ?? {},
    );
    const sfnEndpoint = await sfn.listen(0);
    stops.push(() => sfn.close());
    const counter = new RequestCounter(new Set([fauxqs.port, Number(new URL(sfnEndpoint).port)])).start();
    stops.push(async () => counter.stop());
    registerApiAndStateMachines(assembly, ctx, apiUrl);

    // Logical id → the name a person reads (the API's and the CLI's), filled once functions are known.
    const names = new Map<string, string>();
    const metrics = new MetricsView(
      {
        queues: () =>
          [...queues.values()].map((q) => {
            const inspected = fauxqs.inspectQueue(q.name);
            // A DLQ is a redrive target, or named as one (the webhook DLQ is fed by the workflow).
            const isDlq =
              /dlq|deadletter/i.test(q.logicalId) ||
              [...queues.values()].some((o) =>
                (fauxqs.inspectQueue(o.name)?.attributes.RedrivePolicy ?? '').includes(q.arn),
              );
            return {
              logicalId: q.logicalId,
              name: names.get(q.logicalId) ?? q.logicalId,
              queueName: q.name,
              isDlq,
              visible: inspected?.messages.ready.length ?? 0,
              inFlight: inspected?.messages.inflight.length ?? 0,
              delayed: inspected?.messages.delayed.length ?? 0,
            };
          }),
        functions: () =>
          [...pools.values()].map((p) => ({
            name: p.spec.name,
            invocations: p.invocations,
            errors: p.errors,
            workers: p.size,
            durationMs: Math.round(p.durationMs),
          })),
        executions: () => {
          const counts: Record<string, number> = {};
          for (const e of sfn.all) counts[e.status] = (counts[e.status] ?? 0) + 1;
          return counts;
        },
        billing: async () => ({
          stepFunctions: sfn.usage(),
          lambdaInvocations: Object.fromEntries(
            [...pools.values()].map((p) => [names.get(p.spec.logicalId) ?? p.spec.name, p.invocations]),
          ),
          requests: { ...counter.snapshot(), ...prefixed('dynamodb', await dynamo.requestCounts()) },
        }),
      },
      options.dataDir ? join(options.dataDir, 'metrics.json') : undefined,
    );
    const metricsUrl = await metrics.listen(0);
    stops.push(() => metrics.close());
    if (options.dataDir) {
      // Saved on stop too; this bounds what a killed process loses.
      const saver = setInterval(() => metrics.save(), 10_000);
      saver.unref();
      stops.push(async () => clearInterval(saver));
    }

    const endpoints = {
      sqs: fauxqs.address,
      sns: fauxqs.address,
      dynamodb: dynamo.endpoint,
      sfn: sfnEndpoint,
      kms: kmsEndpoint,
    };
    const { specs, skipped } = functionSpecs(assembly, ctx, endpoints, {}, options.poolSize);
    const cdkPath = (logicalId: string) => {
      const path = assembly.resources[logicalId]?.Metadata?.['aws:cdk:path'];
      return typeof path === 'string' ? { logicalId, path } : { logicalId };
    };
    const environments = specs.map((spec) => spec.environment);
    for (const [id, name] of [
      ...queueNames(
        [...queues.values()].map((q) => ({ ...cdkPath(q.logicalId), url: q.url })),
        environments,
      ),
      ...functionNames(specs.map((spec) => ({ ...cdkPath(spec.logicalId), environment: spec.environment }))),
      ...pathNames([...tables.keys()].map(cdkPath)),
    ])
      names.set(id, name);
    // Log prefix: the function's display name ([ingest], [job-invoice]).
    const labels = new Map(specs.map((s) => [s.name, names.get(s.logicalId) ?? s.logicalId]));
    const onLine = (fn: string, _stream: string, line: string) => {
      metrics.record(line, Date.now(), labels.get(fn) ?? fn);
      if (!options.quiet || options.log) say(`[${labels.get(fn) ?? fn}] ${line}`);
    };
    for (const spec of specs) pools.set(spec.name, new LambdaPool(spec, onLine));
    stops.push(async () => void (await Promise.all([...pools.values()].map((p) => p.close()))));
    if (skipped.length) say(`[herald] not run locally (no bundled asset): ${skipped.join(', ')}`);

    for (const machine of stateMachines(assembly, ctx)) machines.set(machine.arn, machine);
    let resumeExecutions = (): void => {};
    if (options.dataDir) {
      // Executions running when the runtime stopped start again from their last Wait (adrs/0011).
      sfn.keepRunningIn(join(options.dataDir, 'executions.json'));
      resumeExecutions = () => {
        const resumed = sfn.resume();
        if (resumed > 0) say(`[herald] resumed ${resumed} workflow execution(s) from ${options.dataDir}`);
      };
    }
    http.routes = apiRoutes(assembly, ctx);
    // EventBridge rules on the executions' status changes (the retry watch), as the template declares them.
    const { rules, unplayed } = eventRules(assembly, ctx, queues);
    if (unplayed.length) say(`[herald] EventBridge targets not played locally: ${unplayed.join(', ')}`);
    const eventTargets = {
      sendMessage: async (queueUrl: string, body: string) =>
        void (await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))),
      invokeFunction: (functionArn: string, event: unknown) => invoke(functionArn, event),
    };
    sfn.onStatusChange = (execution) =>
      void putEvent(rules, statusChangeEvent(execution, LOCAL_REGION, LOCAL_ACCOUNT_ID), eventTargets, (e) =>
        say(`[events] ${e instanceof Error ? e.message : String(e)}`),
      );

    const pollers = eventSourceMappings(assembly, ctx, queues, timeScale).map(
      (spec) =>
        new EventSourcePoller(
          {
            ...spec,
            // As on AWS, MaximumConcurrency bounds the mapping; locally so does the function's pool.
            maxConcurrency: Math.min(
              spec.maxConcurrency,
              findPool(spec.functionName)?.spec.maxConcurrency ?? spec.maxConcurrency,
            ),
          },
          sqs,
          (event) => invoke(spec.functionName, event),
          (e) => say(`[poller ${spec.functionName}] ${e instanceof Error ? e.message : String(e)}`),
        ),
    );
    for (const p of pollers) p.start();
    resumeExecutions();
    stops.push(async () => {
      // Stop polling, then end the pools so in-flight invocations fail now instead of running to their timeout.
      const stopped = Promise.all(pollers.map((p) => p.stop()));
      await Promise.all([...pools.values()].map((p) => p.close()));
      await stopped;
    });

    const mainTable = pickMainTable(specs, tables);
    const admin =
      mainTable === undefined
        ? undefined
        : await createLocalAdminKey(mainTable, dynamo.endpoint, LOCAL_REGION, options.dataDir);
    if (!options.quiet) {
      // Looked at every 5 s, printed when it changed (at most every 30 s when nothing happens).
      let shown: MetricsLineState = {};
      const timer = setInterval(() => {
        const line = metrics.line();
        const decision = metricsLineDecision(shown, line, Date.now());
        shown = decision.state;
        if (decision.print) say(line);
      }, 5000);
      timer.unref();
      stops.push(async () => clearInterval(timer));
    }

    // Pushed last, so it runs first on stop: executions stop being saved, and the ones failing while
    // everything shuts down stay in the resume file as they were (they resume at the next start).
    stops.push(async () => sfn.freeze());

    const local: HeraldLocal = {
      apiUrl,
      adminApiKey: admin?.key ?? '',
      sqsEndpoint: fauxqs.address,
      snsEndpoint: fauxqs.address,
      dynamodbEndpoint: dynamo.endpoint,
      sfnEndpoint,
      kmsEndpoint,
      metricsUrl,
      queues: Object.fromEntries([...queues].map(([id, q]) => [id, q.url])),
      functions: Object.fromEntries(specs.map((s) => [s.logicalId, s.name])),
      tables: Object.fromEntries(tables),
      stateMachines: Object.fromEntries([...machines.values()].map((m) => [m.logicalId, m.arn])),
      names: Object.fromEntries(names),
      startupMs: Date.now() - started,
      synthMs,
      dynamoPid: dynamo.pid,
      injectSqsMessage: async (queue, body) => {
        const q = queues.get(queue) ?? [...queues.values()].find((x) => x.name === queue);
        if (q === undefined) throw new Error(`no local queue ${queue}`);
        return fauxqs.sendMessage(q.name, body).messageId;
      },
      killFunctionWorkers: (fn) => poolFor(fn).killWorkers(),
      updateFunctionCode: (fn, code) => {
        const pool = poolFor(fn);
        const staged = specs.find((spec) => spec.name === pool.spec.name);
        const target = code ?? (staged && { assetDir: staged.assetDir, handler: staged.handler });
        if (target === undefined) throw new Error(`no staged code for ${fn}`);
        return pool.updateCode(target.assetDir, target.handler);
      },
      invokeFunction: invoke,
      metrics: () => metrics.snapshot(),
      requestCounts: async () => {
        const counts: RequestCounts = { ...counter.snapshot() };
        for (const [op, n] of Object.entries(await dynamo.requestCounts())) counts[`dynamodb:${op}`] = n;
        for (const p of pools.values()) {
          const key = `lambda:${labels.get(p.spec.name) ?? p.spec.name}`;
          if (p.invocations > 0) counts[key] = p.invocations;
        }
        return counts;
      },
      stop,
    };
    if (options.stateFile !== null) writeStateFile(options.stateFile ?? '.herald/local.json', local);
    return local;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The local key service's master key: new per run, or kept in the data dir (mode 0600) so that the
 * secrets sealed in a persisted table still open after a restart.
 */
/** `{ PutItem: 3 }` → `{ 'dynamodb:PutItem': 3 }`, as the request counter names operations. */
function prefixed(service: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([op, n]) => [`${service}:${op}`, n]));
}

function masterKey(dataDir: string | undefined): Buffer {
  if (dataDir === undefined) return randomBytes(32);
  const path = join(dataDir, 'kms-master-key');
  if (existsSync(path)) return readFileSync(path);
  const key = randomBytes(32);
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}

/** The main table is the one the functions know as HERALD_TABLE (else the only pk/sk table). */
function pickMainTable(
  specs: ReadonlyArray<{ environment: Readonly<Record<string, string>> }>,
  tables: ReadonlyMap<string, string>,
): string | undefined {
  const fromEnv = specs
    .map((s) => s.environment.HERALD_TABLE)
    .find((t) => t !== undefined && [...tables.values()].includes(t));
  return fromEnv ?? (tables.size === 1 ? [...tables.values()][0] : undefined);
}

function writeStateFile(path: string, local: HeraldLocal): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  const { apiUrl, adminApiKey, sqsEndpoint, snsEndpoint, dynamodbEndpoint, sfnEndpoint, metricsUrl } = local;
  writeFileSync(
    path,
    `${JSON.stringify({ apiUrl, adminApiKey, sqsEndpoint, snsEndpoint, dynamodbEndpoint, sfnEndpoint, metricsUrl, ...byDisplayName(local), region: LOCAL_REGION, pid: process.pid }, null, 2)}\n`,
    { mode: 0o600 },
  );
  // `mode` applies only when the file is created: an older, world-readable one is tightened too.
  chmodSync(path, 0o600);
}

/**
 * `queues`, `functions`, `tables` keyed by the names the API and the CLI use; the CDK logical ids,
 * for whoever reads the template, in `logicalIds` (same keys).
 */
export function byDisplayName(local: Pick<HeraldLocal, 'queues' | 'functions' | 'tables' | 'names'>): {
  queues: Record<string, string>;
  functions: Record<string, string>;
  tables: Record<string, string>;
  logicalIds: Record<'queues' | 'functions' | 'tables', Record<string, string>>;
} {
  const rekey = (byId: Readonly<Record<string, string>>) => {
    const values: Record<string, string> = {};
    const ids: Record<string, string> = {};
    for (const [id, value] of Object.entries(byId)) {
      const name = local.names[id] ?? id;
      values[name] = value;
      ids[name] = id;
    }
    return { values, ids };
  };
  const queues = rekey(local.queues);
  const functions = rekey(local.functions);
  const tables = rekey(local.tables);
  return {
    queues: queues.values,
    functions: functions.values,
    tables: tables.values,
    logicalIds: { queues: queues.ids, functions: functions.ids, tables: tables.ids },
  };
}
