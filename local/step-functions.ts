// Plays the template's state machines with aws-local-stepfunctions behind a minimal Step Functions
// endpoint (AWS JSON 1.0: StartExecution, DescribeExecution, StopExecution), so Lambdas reach it via
// AWS_ENDPOINT_URL_SFN. Lambda tasks run in the local worker pools; sqs:sendMessage / sns:publish are
// played against fauxqs through taskResourceLocalHandlers.
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LocalEvent } from './event-rules.js';
import { type SfnQuotas, TokenBucket } from './sfn-quotas.js';

type Json = Parameters<StateMachine['run']>[0];

export interface TaskServices {
  invokeFunction(functionNameOrArn: string, payload: unknown): Promise<unknown>;
  sendMessage(input: Record<string, unknown>): Promise<Record<string, unknown>>;
  publish(input: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface LocalStateMachine {
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  readonly definition: StateMachineDefinition;
}

export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  abort?: () => void;
}

class SfnApiError extends Error {
  readonly code: string;
  readonly status = 400;
  readonly retryable = false;
  constructor(type: string, message: string) {
    super(message);
    this.code = type;
  }
}

/** What AWS bills and counts for Step Functions, per state machine name (adrs/0011). */
export interface SfnUsage {
  readonly executionsStarted: number;
  /** States entered, retries included: what a Standard workflow is billed per. */
  readonly stateTransitions: number;
  /** StartExecution calls refused by a quota (ExecutionLimitExceeded, ThrottlingException). */
  readonly startsRefused: number;
  /** Transitions that waited for the transitions bucket. */
  readonly transitionsThrottled: number;
}

interface StateDef {
  Type?: string;
  Resource?: string;
  Seconds?: number;
  Retry?: Array<{ IntervalSeconds?: number }>;
  States?: Record<string, StateDef>;
  Branches?: Array<{ States: Record<string, StateDef> }>;
  Iterator?: { States: Record<string, StateDef> };
  ItemProcessor?: { States: Record<string, StateDef> };
}

function* allStates(states: Record<string, StateDef>): Generator<[string, StateDef]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    for (const branch of state.Branches ?? []) yield* allStates(branch.States);
    const nested = state.Iterator ?? state.ItemProcessor;
    if (nested) yield* allStates(nested.States);
  }
}

/** The resource a `TimestampPath` Wait is played as (see `withLocalWaits`). */
const LOCAL_WAIT = 'arn:aws:states:::herald-local:waitUntil';

/**
 * The definition with every `TimestampPath` Wait played as a local Task that sleeps until then (at
 * once when the time has passed). aws-local-stepfunctions' own Wait sets a timer for `due - now`,
 * negative once the time has passed (a resumed execution, a deferred delivery due now), which Node
 * reports as a TimeoutNegativeWarning. Same name, same input passed through, same transition count.
 */
export function withLocalWaits(definition: StateMachineDefinition): StateMachineDefinition {
  const states = definition.States as Record<string, StateDef & Record<string, unknown>>;
  const played = Object.fromEntries(
    Object.entries(states).map(([name, state]) => {
      if (state.Type !== 'Wait' || typeof state.TimestampPath !== 'string') return [name, state];
      const { TimestampPath, Type: _type, ...rest } = state;
      return [
        name,
        {
          ...rest,
          Type: 'Task',
          Resource: LOCAL_WAIT,
          Parameters: { 'until.$': TimestampPath },
          ResultPath: null,
        },
      ];
    }),
  );
  return { ...definition, States: played } as StateMachineDefinition;
}

/** Sleeps until `until` (ISO); an unref'd timer, so a waiting execution never holds a process open. */
async function waitUntil(input: Json): Promise<Json> {
  const until = Date.parse(String((input as { until?: unknown } | null)?.until ?? ''));
  const ms = Number.isFinite(until) ? until - Date.now() : 0;
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms).unref());
  return {};
}

/** Local handlers for every Task state (service integrations included) and scaled retry/wait intervals. */
export function buildOverrides(
  definition: StateMachineDefinition,
  services: TaskServices,
  timeScale: number,
) {
  const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  const retryIntervalOverrides: Record<string, number[]> = {};
  const waitTimeOverrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition.States as Record<string, StateDef>)) {
    if (state.Retry && timeScale !== 1)
      retryIntervalOverrides[name] = state.Retry.map((r) => (r.IntervalSeconds ?? 1) * 1000 * timeScale);
    // Waits driven by the input (TimestampPath) are already scaled by the app (HERALD_RETRY_TIME_SCALE).
    if (state.Type === 'Wait' && typeof state.Seconds === 'number' && timeScale !== 1)
      waitTimeOverrides[name] = state.Seconds * 1000 * timeScale;
    if (state.Type !== 'Task' || state.Resource === undefined) continue;
    taskResourceLocalHandlers[name] = taskHandler(state.Resource, services);
  }
  return { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides };
}

function taskHandler(resource: string, services: TaskServices): (input: Json) => Promise<Json> {
  if (resource === LOCAL_WAIT) return waitUntil;
  const service = resource.replace(/\.(sync|waitForTaskToken)(:\d+)?$/, '');
  if (resource.startsWith('arn:aws:lambda:'))
    return async (input) => (await services.invokeFunction(resource, input)) as Json;
  if (service === 'arn:aws:states:::lambda:invoke') {
    return async (input) => {
      const { FunctionName, Payload } = input as { FunctionName: string; Payload?: unknown };
      const result = await services.invokeFunction(FunctionName, Payload ?? {});
      return { Payload: result, StatusCode: 200, ExecutedVersion: '$LATEST' } as Json;
    };
  }
  if (service === 'arn:aws:states:::sqs:sendMessage')
    return async (input) => (await services.sendMessage(input as Record<string, unknown>)) as Json;
  if (service === 'arn:aws:states:::sns:publish')
    return async (input) => (await services.publish(input as Record<string, unknown>)) as Json;
  return async () => {
    const error = new Error(`${resource} is not played by the local runtime`);
    error.name = 'States.Runtime';
    throw error;
  };
}

/** Task services that first wait for a state-transition token (the transitions quota). */
function throttledServices(services: TaskServices, sfn: { transitionToken(): Promise<void> }): TaskServices {
  return {
    invokeFunction: async (name, payload) => {
      await sfn.transitionToken();
      return services.invokeFunction(name, payload);
    },
    sendMessage: async (input) => {
      await sfn.transitionToken();
      return services.sendMessage(input);
    },
    publish: async (input) => {
      await sfn.transitionToken();
      return services.publish(input);
    },
  };
}

/** The EventBridge "Step Functions Execution Status Change" event AWS emits for an execution. */
export function statusChangeEvent(execution: Execution, region: string, account: string): LocalEvent {
  const ms = (d: Date | undefined) => (d === undefined ? null : d.getTime());
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    time: (execution.stopDate ?? execution.startDate).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: ms(execution.startDate),
      stopDate: ms(execution.stopDate),
      input: execution.input,
      output: execution.output ?? null,
      inputDetails: { included: true },
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  };
}

export class LocalStepFunctions {
  private readonly executions = new Map<string, Execution>();
  /**
   * One StateMachine per definition, built (and validated) on its first execution. Building validates
   * the definition with asl-validator, which compiles its JSON Schemas with Ajv: ~50 ms of main-thread
   * CPU per execution, which at tens of executions per second (an endpoint in trouble) starved the
   * HTTP API and every poller. A StateMachine runs any number of executions.
   */
  private readonly compiled = new Map<
    string,
    { readonly sm: StateMachine; readonly overrides: ReturnType<typeof buildOverrides> }
  >();
  private server: Server | undefined;
  endpoint = '';
  /** Called on every status change (RUNNING, then the end), as AWS emits them to EventBridge. */
  onStatusChange: (execution: Execution) => void = () => undefined;
  private resumeFile: string | undefined;
  private resumable: Map<string, { stateMachineArn: string; name: string; input: string }> | undefined;
  private saving = false;
  private readonly usageByMachine = new Map<string, { -readonly [K in keyof SfnUsage]: number }>();
  private readonly startBucket: TokenBucket | undefined;
  private readonly transitionBucket: TokenBucket | undefined;

  constructor(
    private readonly machines: ReadonlyMap<string, LocalStateMachine>,
    private readonly services: TaskServices,
    private readonly timeScale: number,
    private readonly onEvent: (line: string) => void = () => undefined,
    private readonly quotas: SfnQuotas = {},
  ) {
    const { startExecution, stateTransitions } = quotas;
    if (startExecution)
      this.startBucket = new TokenBucket(startExecution.burst, startExecution.refillPerSecond);
    if (stateTransitions)
      this.transitionBucket = new TokenBucket(stateTransitions.burst, stateTransitions.refillPerSecond);
  }

  /** Executions started, transitions and refusals so far, by state machine name. */
  usage(): Record<string, SfnUsage> {
    return Object.fromEntries([...this.usageByMachine].map(([name, u]) => [name, { ...u }]));
  }

  private usageOf(machineName: string) {
    let u = this.usageByMachine.get(machineName);
    if (u === undefined) {
      u = { executionsStarted: 0, stateTransitions: 0, startsRefused: 0, transitionsThrottled: 0 };
      this.usageByMachine.set(machineName, u);
    }
    return u;
  }

  /** Open executions across the account (AWS counts them per region, all state machines together). */
  private openExecutions(): number {
    let open = 0;
    for (const e of this.executions.values()) if (e.status === 'RUNNING') open += 1;
    return open;
  }

  /**
   * Counts the execution's transitions (with a transitions bucket, a Task waits for its token), and
   * with a resume file keeps the input of the last Wait it entered: where it resumes after a restart.
   */
  private async countTransitions(
    machine: LocalStateMachine,
    execution: Execution,
    events: AsyncGenerator<{ type: string; state?: { name?: string; input?: unknown } }>,
  ) {
    const usage = this.usageOf(machine.name);
    const states = machine.definition.States as Record<string, StateDef>;
    const startAt = (machine.definition as { StartAt?: string }).StartAt;
    const startsWithWait = states[startAt ?? '']?.Type === 'Wait';
    for await (const event of events) {
      if (event.type !== 'StateEntered' && event.type !== 'StateRetried') continue;
      if (
        this.resumable !== undefined &&
        startsWithWait &&
        event.type === 'StateEntered' &&
        states[event.state?.name ?? '']?.Type === 'Wait'
      ) {
        this.resumable.set(execution.executionArn, {
          stateMachineArn: execution.stateMachineArn,
          name: execution.name,
          input: JSON.stringify(event.state?.input),
        });
        this.saveResumable();
      }
      usage.stateTransitions += 1;
      if (this.transitionBucket !== undefined && !this.transitionBucket.take())
        usage.transitionsThrottled += 1;
    }
  }

  /** Before a Task runs: wait for a transition token, as AWS throttles transitions past the bucket. */
  async transitionToken(): Promise<void> {
    const bucket = this.transitionBucket;
    if (bucket === undefined) return;
    for (let wait = bucket.waitMs(); wait > 0; wait = bucket.waitMs()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  /**
   * With `--data`, executions outlive the runtime as AWS's do: each one's last Wait (its input) is kept
   * in `file`, and `resume()` starts them again from there after a restart (adrs/0011; before this, a
   * restart left their deliveries `retrying` for ever). Only state machines that start with a Wait
   * are kept (both of Herald's do): starting one again at its Wait is where it was.
   */
  keepRunningIn(file: string): void {
    this.resumeFile = file;
    this.resumable = new Map();
  }

  /** Starts again the executions the resume file holds; answers how many. */
  resume(): number {
    if (this.resumeFile === undefined) return 0;
    let saved: Array<{ stateMachineArn: string; name: string; input: string }> = [];
    try {
      saved = JSON.parse(readFileSync(this.resumeFile, 'utf8')) as typeof saved;
    } catch {
      return 0; // none yet
    }
    let resumed = 0;
    for (const e of saved) {
      try {
        this.startExecution(e.stateMachineArn, e.name, e.input);
        resumed += 1;
      } catch (error) {
        this.onEvent(`${e.name}: not resumed (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    return resumed;
  }

  private saveResumable(): void {
    if (this.resumeFile === undefined || this.resumable === undefined || this.saving) return;
    // Many executions move at once: one write per tick, of the latest state.
    this.saving = true;
    setImmediate(() => {
      this.saving = false;
      if (this.resumeFile === undefined || this.resumable === undefined) return;
      writeFileSync(`${this.resumeFile}.tmp`, JSON.stringify([...this.resumable.values()]), { mode: 0o600 });
      renameSync(`${this.resumeFile}.tmp`, this.resumeFile);
    });
  }

  /** Stops saving executions: what the resume file holds now is what resumes at the next start. */
  freeze(): void {
    this.resumeFile = undefined;
    this.onStatusChange = () => undefined;
  }

  async close(): Promise<void> {
    // Stopping the runtime is not an operator's StopExecution: no ABORTED events for it, and the
    // executions stay in the resume file.
    this.resumeFile = undefined;
    this.onStatusChange = () => undefined;
    for (const e of this.executions.values()) e.abort?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get all(): readonly Execution[] {
    return [...this.executions.values()];
  }

  startExecution(stateMachineArn: string, name: string | undefined, input: string | undefined): Execution {
    const machine = this.machines.get(stateMachineArn);
    if (machine === undefined)
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const execName = name ?? randomUUID();
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${execName}`;
    // Names are unique per state machine (AWS keeps them for 90 days); dispatch relies on this.
    if (this.executions.has(executionArn))
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const usage = this.usageOf(machine.name);
    if (
      this.quotas.maxOpenExecutions !== undefined &&
      this.openExecutions() >= this.quotas.maxOpenExecutions
    ) {
      usage.startsRefused += 1;
      throw new SfnApiError(
        'ExecutionLimitExceeded',
        `Maximum number of running executions (${this.quotas.maxOpenExecutions}) reached`,
      );
    }
    if (this.startBucket !== undefined && !this.startBucket.take()) {
      usage.startsRefused += 1;
      throw new SfnApiError('ThrottlingException', 'Rate exceeded');
    }
    usage.executionsStarted += 1;
    let parsed: Json;
    try {
      parsed = JSON.parse(input ?? '{}') as Json;
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid execution input');
    }
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name: execName,
      input: input ?? '{}',
      startDate: new Date(),
      status: 'RUNNING',
    };
    this.executions.set(executionArn, execution);
    const { sm, overrides } = this.compiledFor(machine);
    const run = sm.run(parsed, {
      overrides,
      context: {
        Execution: {
          Id: executionArn,
          Name: execName,
          Input: parsed,
          StartTime: execution.startDate.toISOString(),
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    execution.abort = run.abort;
    void this.countTransitions(machine, execution, run.eventLogs).catch(() => undefined);
    this.onStatusChange(execution);
    run.result.then(
      (output) => this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (error: unknown) => {
        const err = error as { name?: string; message?: string; cause?: { name?: string; message?: string } };
        const aborted = err.name === 'ExecutionAbortedError';
        const timedOut = err.name === 'ExecutionTimeoutError';
        const inner = err.cause ?? err;
        this.finish(execution, aborted ? 'ABORTED' : timedOut ? 'TIMED_OUT' : 'FAILED', {
          error: inner.name ?? 'Error',
          cause: inner.message ?? '',
        });
      },
    );
    return execution;
  }

  private compiledFor(machine: LocalStateMachine) {
    let entry = this.compiled.get(machine.arn);
    if (entry === undefined) {
      const played = withLocalWaits(machine.definition);
      entry = {
        sm: new StateMachine(played, {
          validationOptions: { checkArn: false, checkPaths: false },
        }),
        overrides: buildOverrides(
          played,
          this.transitionBucket === undefined ? this.services : throttledServices(this.services, this),
          this.timeScale,
        ),
      };
      this.compiled.set(machine.arn, entry);
    }
    return entry;
  }

  private finish(execution: Execution, status: Execution['status'], fields: Partial<Execution>): void {
    if (this.resumable?.delete(execution.executionArn)) this.saveResumable();
    Object.assign(execution, fields, { status, stopDate: new Date() });
    this.onEvent(`${execution.name}: ${status}${execution.error ? ` (${execution.error})` : ''}`);
    this.onStatusChange(execution);
  }

  private describe(executionArn: string): Record<string, unknown> {
    const e = this.executions.get(executionArn);
    if (e === undefined)
      throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    const seconds = (d: Date | undefined) => (d === undefined ? undefined : d.getTime() / 1000);
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      stopDate: seconds(e.stopDate),
      input: e.input,
      output: e.output,
      error: e.error,
      cause: e.cause,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
    let status = 200;
    let body: unknown;
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        string | undefined
      >;
      if (target === 'StartExecution') {
        const e = this.startExecution(input.stateMachineArn ?? '', input.name, input.input);
        body = { executionArn: e.executionArn, startDate: e.startDate.getTime() / 1000 };
      } else if (target === 'DescribeExecution') {
        body = this.describe(input.executionArn ?? '');
      } else if (target === 'StopExecution') {
        const e = this.executions.get(input.executionArn ?? '');
        if (e === undefined) throw new SfnApiError('ExecutionDoesNotExist', 'Execution Does Not Exist');
        e.abort?.();
        body = { stopDate: Date.now() / 1000 };
      } else {
        throw new SfnApiError('UnknownOperationException', `${target} is not supported locally`);
      }
    } catch (error) {
      status = 400;
      const e =
        error instanceof SfnApiError
          ? error
          : new SfnApiError('InvalidParameterValue', error instanceof Error ? error.message : 'bad request');
      body = { __type: e.code, message: e.message };
    }
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
  }
}
