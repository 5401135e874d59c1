// Demo webhook receiver: verifies Standard Webhooks signatures with the off-the-shelf `standardwebhooks`
// package (as a receiver in the wild would, not with Herald's own signing code), dedupes by webhook-id,
// answers 200 — the "consumer acks by 200" pattern — and can be told to fail or be slow (POST /control).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  readonly id: string;
  readonly timestamp: string;
  readonly path: string;
  readonly receivedAt: string;
  /** Deliveries of this id that reached the receiver, failed ones included. */
  attempts: number;
  readonly body: unknown;
}

/** What POST /control accepts. `times` counts failing answers; 'always' fails until changed. */
export interface ReceiverControl {
  readonly status?: number;
  readonly times?: number | 'always';
  readonly delayMs?: number;
  readonly retryAfter?: string;
  readonly reset?: boolean;
}

export interface ReceiverOptions {
  readonly port?: number;
  /** Endpoint secrets (`whsec_...`); a request passes when any verifies. Empty: signatures are not checked. */
  readonly secrets?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface Receiver {
  readonly url: string;
  received(): ReceivedWebhook[];
  control(control: ReceiverControl): void;
  setSecrets(secrets: readonly string[]): void;
  close(): Promise<void>;
}

interface State {
  failStatus: number;
  failRemaining: number; // Infinity for 'always'
  delayMs: number;
  retryAfter: string | undefined;
  duplicates: number;
  rejected: number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const log = options.log ?? (() => undefined);
  let secrets = [...(options.secrets ?? [])];
  const byId = new Map<string, ReceivedWebhook>();
  const order: ReceivedWebhook[] = [];
  const attemptsById = new Map<string, number>(); // failed answers count too
  const state: State = {
    failStatus: 200,
    failRemaining: 0,
    delayMs: 0,
    retryAfter: undefined,
    duplicates: 0,
    rejected: 0,
  };

  const apply = (c: ReceiverControl) => {
    if (c.reset) {
      byId.clear();
      attemptsById.clear();
      order.length = 0;
      Object.assign(state, {
        failStatus: 200,
        failRemaining: 0,
        delayMs: 0,
        retryAfter: undefined,
        duplicates: 0,
        rejected: 0,
      });
    }
    if (c.status !== undefined) state.failStatus = c.status;
    if (c.times !== undefined)
      state.failRemaining = c.times === 'always' ? Number.POSITIVE_INFINITY : c.times;
    else if (c.status !== undefined)
      state.failRemaining = c.status >= 200 && c.status < 300 ? 0 : Number.POSITIVE_INFINITY;
    if (c.delayMs !== undefined) state.delayMs = c.delayMs;
    if (c.retryAfter !== undefined) state.retryAfter = c.retryAfter || undefined;
  };

  const handleWebhook = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
    if (secrets.length > 0) {
      const ok = secrets.some((secret) => {
        try {
          new Webhook(secret).verify(body, {
            'webhook-id': headers['webhook-id'] ?? '',
            'webhook-timestamp': headers['webhook-timestamp'] ?? '',
            'webhook-signature': headers['webhook-signature'] ?? '',
          });
          return true;
        } catch {
          return false;
        }
      });
      if (!ok) {
        state.rejected++;
        log(`[receiver] rejected ${headers['webhook-id'] ?? '(no id)'}: bad signature`);
        return json(res, 401, { error: 'invalid signature' });
      }
    }
    const id = headers['webhook-id'] ?? '';
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    const existing = byId.get(id);
    const attempts = (attemptsById.get(id) ?? 0) + 1;
    attemptsById.set(id, attempts);
    if (state.failRemaining > 0) {
      state.failRemaining--;
      log(`[receiver] ${id}: answering ${state.failStatus} (as told)`);
      return json(
        res,
        state.failStatus,
        { error: 'told to fail' },
        state.retryAfter ? { 'retry-after': state.retryAfter } : {},
      );
    }
    if (existing?.receivedAt) {
      // Already acknowledged once: acknowledge again, do not process again.
      existing.attempts = attempts;
      state.duplicates++;
      return json(res, 200, { duplicate: true });
    }
    let parsed: unknown = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      // not JSON: keep the text
    }
    const record: ReceivedWebhook = {
      id,
      timestamp: headers['webhook-timestamp'] ?? '',
      path: req.url ?? '/',
      receivedAt: new Date().toISOString(),
      attempts,
      body: parsed,
    };
    byId.set(id, record);
    order.push(record);
    log(`[receiver] ${id} ${(parsed as { type?: string }).type ?? ''} received`);
    json(res, 200, { received: true });
  };

  const server: Server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (req.method === 'GET' && path === '/received')
          return json(res, 200, {
            count: order.length,
            duplicates: state.duplicates,
            rejected: state.rejected,
            received: order,
          });
        if (req.method === 'POST' && path === '/control') {
          apply(JSON.parse(body || '{}') as ReceiverControl);
          return json(res, 200, {
            failStatus: state.failStatus,
            failRemaining: Number.isFinite(state.failRemaining) ? state.failRemaining : 'always',
            delayMs: state.delayMs,
          });
        }
        if (req.method === 'POST') return handleWebhook(req, res, body);
        json(res, 404, { error: 'not found' });
      })
      .catch((error: unknown) =>
        json(res, 400, { error: error instanceof Error ? error.message : 'bad request' }),
      );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received: () => [...order],
    control: apply,
    setSecrets: (next) => {
      secrets = [...next];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
