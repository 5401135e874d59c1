/**
 * Test doubles for the webhook handler tests that run over real sockets: Herald's one receiver
 * (local/receiver) answering per path as a test tells it, and a tiny fake Step Functions endpoint that
 * implements StartExecution with the real service's name-uniqueness rule (a second start of a name →
 * ExecutionAlreadyExists).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '../../../lambdas/shared/ids.js';
import type { EndpointRecord } from '../../../lambdas/shared/model.js';
import { putEndpoint } from '../../../lambdas/shared/store/endpoints.js';
import { generateWebhookSecret } from '../../../lambdas/webhooks/signing.js';
import { startReceiver as startDemoReceiver, type WebhookRequest } from '../../../local/receiver/receiver.js';
import { type Harness, startHarness } from '../../support/harness.js';

interface Received {
  /** The request target as sent, query included. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Never answer (for timeouts). */
  readonly hang?: boolean;
  readonly body?: string;
}

interface Receiver {
  readonly base: string;
  /** Every request so far, in order. */
  readonly received: Received[];
  /** What `path` answers from now on (default 204). */
  reply(path: string, reply: Reply | ((req: Received) => Reply)): void;
  on(path: string): Received[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const asReceived = (request: WebhookRequest): Received => ({
  path: request.url,
  headers: request.headers,
  body: request.body,
});

/** The receiver with no secret (the handler tests check signatures themselves), answering as told. */
async function startReceiver(): Promise<Receiver> {
  const replies = new Map<string, Reply | ((req: Received) => Reply)>();
  const receiver = await startDemoReceiver({
    respond: (request) => {
      const configured = replies.get(request.url) ?? { status: 204 };
      const reply = typeof configured === 'function' ? configured(asReceived(request)) : configured;
      if (reply.hang) return { kind: 'hang' };
      return { kind: 'status', status: reply.status, headers: reply.headers ?? {}, body: reply.body ?? '' };
    },
  });
  return {
    base: receiver.url,
    get received() {
      return receiver.requests().map(asReceived);
    },
    reply: (path, reply) => replies.set(path, reply),
    on: (path) =>
      receiver
        .requests()
        .filter((r) => r.url === path)
        .map(asReceived),
    close: () => receiver.close(),
  };
}

interface StartedExecution {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}

interface FakeStepFunctions {
  readonly endpoint: string;
  /** Successful starts only, in order. */
  readonly started: StartedExecution[];
  /** Every StartExecution call, duplicates included. */
  calls: number;
  close(): Promise<void>;
}

async function startFakeStepFunctions(): Promise<FakeStepFunctions> {
  const fake: { started: StartedExecution[]; calls: number } = { started: [], calls: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (target !== 'AWSStepFunctions.StartExecution') {
        res.writeHead(400).end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
        return;
      }
      fake.calls += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        stateMachineArn: string;
        name: string;
        input: string;
      };
      if (fake.started.some((e) => e.name === body.name)) {
        res.writeHead(400).end(
          JSON.stringify({
            __type: 'com.amazonaws.states#ExecutionAlreadyExists',
            message: `Execution ${body.name} exists`,
          }),
        );
        return;
      }
      fake.started.push({
        stateMachineArn: body.stateMachineArn,
        name: body.name,
        input: JSON.parse(body.input),
      });
      res.writeHead(200).end(
        JSON.stringify({
          executionArn: `${body.stateMachineArn.replace(':stateMachine:', ':execution:')}:${body.name}`,
          startDate: Date.now() / 1000,
        }),
      );
    });
  });
  const endpoint = await listen(server);
  return Object.assign(fake, { endpoint, close: () => close(server) });
}

/** Stores an endpoint for `tenantId` pointing at `url`, with one fresh secret (answered alongside). */
async function createEndpoint(input: {
  tenantId: string;
  url: string;
  eventTypes?: string[];
  enabled?: boolean;
  filter?: Record<string, unknown>;
}): Promise<EndpointRecord & { secret: string }> {
  const secret = generateWebhookSecret();
  const now = new Date().toISOString();
  const record: EndpointRecord = {
    id: newId('ep'),
    tenantId: input.tenantId,
    url: input.url,
    eventTypes: input.eventTypes ?? ['*'],
    enabled: input.enabled ?? true,
    ...(input.filter !== undefined ? { filter: input.filter } : {}),
    secrets: [{ secret, createdAt: now }],
    signingKeys: [],
    createdAt: now,
    updatedAt: now,
  };
  await putEndpoint(record);
  return { ...record, secret };
}

const RETRY_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:herald-retry';
const RECOVERY_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:herald-recovery';

interface DeliveryHarness {
  readonly h: Harness;
  readonly receiver: Receiver;
  readonly sfn: FakeStepFunctions;
  stop(): Promise<void>;
}

/**
 * What the delivery handler tests (dispatch, attempt) run against: the emulator harness, a receiver
 * and the fake Step Functions, with the environment pointing at them plus `env`.
 */
async function startDeliveryHarness(env: Record<string, string> = {}): Promise<DeliveryHarness> {
  const h = await startHarness();
  const receiver = await startReceiver();
  const sfn = await startFakeStepFunctions();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SFN: sfn.endpoint,
    HERALD_RETRY_STATE_MACHINE_ARN: RETRY_STATE_MACHINE_ARN,
    HERALD_RECOVERY_STATE_MACHINE_ARN: RECOVERY_STATE_MACHINE_ARN,
    ...env,
  });
  return {
    h,
    receiver,
    sfn,
    async stop() {
      await receiver.close();
      await sfn.close();
      await h.stop();
    },
  };
}

export type { DeliveryHarness, FakeStepFunctions, Received, Receiver, Reply, StartedExecution };
export { createEndpoint, RETRY_STATE_MACHINE_ARN, startDeliveryHarness, startReceiver };
