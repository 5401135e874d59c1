// Herald's one webhook receiver: the demo (`npm run receiver`) and every test and benchmark use it.
// It verifies Standard Webhooks signatures as a receiver in the wild would, not with Herald's own
// signing code — v1 (HMAC) with the off-the-shelf `standardwebhooks` package, v1a (ed25519) with the
// documented snippet docs/receivers/verify-v1a.ts and public keys only (whpk_ keys, or the tenant's
// JWKS, fetched again when no known key verifies) — dedupes by webhook-id, answers 200
// — the "consumer acks by 200" pattern — and can be told to fail or be slow (POST /control). Tests
// script it further through `respond` (any status, a hang, a dropped connection) and stop/start it on
// the same port.
import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { publicKeyFromWhpk, publicKeysFromJwks, verifyV1a } from '../../docs/receivers/verify-v1a.js';

/** A webhook acknowledged (2xx), once per path and webhook-id. */
export interface ReceivedWebhook {
  readonly id: string;
  readonly timestamp: string;
  readonly path: string;
  readonly receivedAt: string;
  /** Deliveries of this id that reached the receiver, failed ones included. */
  attempts: number;
  readonly body: unknown;
  /** Which scheme verified it (absent when signatures are not checked). */
  readonly verifiedBy?: 'v1' | 'v1a';
}

/** What the receiver does with one request. */
export type Answer =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfter?: string;
      readonly headers?: Readonly<Record<string, string>>;
      /** Sent as is, with only `headers`; without one, the status code as text/plain. */
      readonly body?: string;
      /** A slow receiver: the answer goes out this long after the request arrived (if still wanted). */
      readonly delayMs?: number;
    }
  /** Holds the request open until the sender gives up (its timeout), or `maxMs` passes. */
  | { readonly kind: 'hang'; readonly maxMs?: number }
  /** Destroys the socket without answering. */
  | { readonly kind: 'close' };

/** One request as it arrived (webhook or not), before it is answered. */
export interface WebhookRequest {
  /** The request target as sent, query included. */
  readonly url: string;
  /** Its path, without the query. */
  readonly path: string;
  readonly method: string;
  /** Milliseconds since the epoch, when the request finished arriving. */
  readonly at: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  readonly webhookId: string | undefined;
  /** Requests with this path and webhook-id that came before this one. */
  readonly seenBefore: number;
  /** Verified with a secret or public key known for its path; undefined when none is known. */
  readonly verified: boolean | undefined;
  /** Which scheme verified it: v1 (`standardwebhooks`) or v1a (a `whpk_` key or the JWKS). */
  readonly verifiedBy?: 'v1' | 'v1a';
}

/** A request and how it was answered: the status, `hang` or `close`. */
export interface LoggedRequest extends WebhookRequest {
  readonly answered: string;
}

/** What POST /control accepts. `times` counts failing answers; 'always' fails until changed. */
export interface ReceiverControl {
  readonly status?: number;
  readonly times?: number | 'always';
  readonly delayMs?: number;
  readonly retryAfter?: string;
  /** Back to answering 200 at once, and forgets everything received (the list, attempts, counters). */
  readonly reset?: boolean;
  /** Back to answering 200 at once; keeps what was received, so a drill can count what came after. */
  readonly recover?: boolean;
}

export interface ReceiverOptions {
  /** 0 (the default) picks a free port; `stop()` then `start()` keeps it. */
  readonly port?: number;
  /**
   * Endpoint secrets (`whsec_...`, checked as v1) and public keys (`whpk_...`, checked as v1a); a request
   * passes when any verifies. Empty (and no `jwksUrl`): signatures are not checked.
   */
  readonly secrets?: readonly string[];
  /** A JWKS to take v1a public keys from (Herald's GET /v1/tenants/{tenantId}/jwks.json), fetched again
   * when no known key verifies a request (a rotation), at most once a second. */
  readonly jwksUrl?: string;
  /** Secrets per request path, for a receiver serving several endpoints; overrides `secrets`. */
  readonly secretsFor?: (path: string) => Iterable<string> | undefined;
  /** Answer 401 to a webhook no known secret verifies (default). False: record it and answer as usual. */
  readonly rejectUnverified?: boolean;
  /** Decides the answer to a webhook first; undefined falls back to /control's state, then to 200. */
  readonly respond?: (request: WebhookRequest) => Answer | undefined;
  /** Called on the first 2xx for a path and webhook-id, when it is answered. */
  readonly onAccepted?: (webhook: ReceivedWebhook, request: WebhookRequest) => void;
  /** Keep every request for `requests()` (default); a long benchmark run turns it off. */
  readonly keepRequests?: boolean;
  readonly log?: (line: string) => void;
}

export interface Receiver {
  /** The origin, e.g. `http://127.0.0.1:4000`; POST any path under it. */
  readonly url: string;
  /** Acknowledged webhooks, one per path and webhook-id, in arrival order. */
  received(): ReceivedWebhook[];
  /** Every request answered so far, in order (empty when `keepRequests` is false). */
  requests(): LoggedRequest[];
  control(control: ReceiverControl): void;
  setSecrets(secrets: readonly string[]): void;
  /** Listens again on the same port after `stop()`. */
  start(): Promise<void>;
  /** Stops listening and drops open connections: senders now see "connection refused". */
  stop(): Promise<void>;
  /** Stops accepting connections but leaves hanging requests open, so their senders still time out. */
  refuseNew(): void;
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

const DEFAULT_HANG_MS = 120_000;

const initialState = (): State => ({
  failStatus: 200,
  failRemaining: 0,
  delayMs: 0,
  retryAfter: undefined,
  duplicates: 0,
  rejected: 0,
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Whether any of `secrets` verifies the webhook; one `Webhook` per secret (it decodes the key once). */
function verifier(): (
  secrets: Iterable<string>,
  headers: WebhookRequest['headers'],
  body: string,
) => boolean {
  const webhooks = new Map<string, Webhook>();
  return (secrets, headers, body) => {
    const signed = {
      'webhook-id': headers['webhook-id'] ?? '',
      'webhook-timestamp': headers['webhook-timestamp'] ?? '',
      'webhook-signature': headers['webhook-signature'] ?? '',
    };
    for (const secret of secrets) {
      if (secret.startsWith('whpk_')) continue; // a v1a public key: verifiesV1a
      try {
        const webhook = webhooks.get(secret) ?? new Webhook(secret);
        webhooks.set(secret, webhook);
        webhook.verify(body, signed);
        return true;
      } catch {
        // not this secret
      }
    }
    return false;
  };
}

/** v1a with the documented receiver snippet: the `whpk_` keys among `secrets`, then the JWKS's keys. */
function v1aVerifier(jwksUrl: string | undefined) {
  let jwksKeys: KeyObject[] = [];
  let fetchedAt = 0;
  let fetches = 0;
  const attempt = (keys: KeyObject[], headers: WebhookRequest['headers'], body: string) => {
    try {
      verifyV1a(keys, headers, body);
      return true;
    } catch {
      return false;
    }
  };
  return {
    fetches: () => fetches,
    async verifies(secrets: Iterable<string>, headers: WebhookRequest['headers'], body: string) {
      const pinned = [...secrets].filter((s) => s.startsWith('whpk_')).map(publicKeyFromWhpk);
      if (attempt([...pinned, ...jwksKeys], headers, body)) return true;
      // No known key verifies: maybe a rotation published a new one.
      if (jwksUrl === undefined || Date.now() - fetchedAt < 1000) return false;
      fetchedAt = Date.now();
      fetches++;
      jwksKeys = await publicKeysFromJwks(jwksUrl);
      return attempt([...pinned, ...jwksKeys], headers, body);
    },
  };
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const log = options.log ?? (() => undefined);
  const keepRequests = options.keepRequests ?? true;
  const verifies = verifier();
  const v1a = v1aVerifier(options.jwksUrl);
  let secrets = [...(options.secrets ?? [])];
  const byKey = new Map<string, ReceivedWebhook>(); // "path webhook-id" → acknowledged
  const order: ReceivedWebhook[] = [];
  const logged: LoggedRequest[] = [];
  const seen = new Map<string, number>(); // "path webhook-id" → requests, failed answers included
  const hanging = new Set<ServerResponse>();
  const state = initialState();

  const apply = (c: ReceiverControl) => {
    if (c.reset) {
      byKey.clear();
      seen.clear();
      order.length = 0;
      logged.length = 0;
      Object.assign(state, initialState());
    }
    if (c.recover) {
      // Answer 200 again; what was received, and the counters, stay.
      Object.assign(state, { failStatus: 200, failRemaining: 0, delayMs: 0, retryAfter: undefined });
    }
    if (c.status !== undefined) state.failStatus = c.status;
    if (c.times !== undefined)
      state.failRemaining = c.times === 'always' ? Number.POSITIVE_INFINITY : c.times;
    else if (c.status !== undefined)
      state.failRemaining = c.status >= 200 && c.status < 300 ? 0 : Number.POSITIVE_INFINITY;
    if (c.delayMs !== undefined) state.delayMs = c.delayMs;
    if (c.retryAfter !== undefined) state.retryAfter = c.retryAfter || undefined;
  };

  const knownSecrets = (path: string): Iterable<string> | undefined => {
    if (options.secretsFor !== undefined) return options.secretsFor(path);
    return secrets.length > 0 || options.jwksUrl !== undefined ? secrets : undefined;
  };

  /** v1 by any secret, else v1a by any public key; undefined when it verifies under neither. */
  const verifiedBy = async (known: Iterable<string>, headers: WebhookRequest['headers'], body: string) => {
    const list = [...known];
    if (verifies(list, headers, body)) return 'v1' as const;
    if (await v1a.verifies(list, headers, body)) return 'v1a' as const;
    return undefined;
  };

  const jsonAnswer = (status: number, body: unknown, retryAfter?: string): Answer => ({
    kind: 'status',
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  });

  /** /control's failures, then the acknowledgement (a repeat of an acknowledged id is acked again). */
  const standardAnswer = (key: string): Answer => {
    if (state.failRemaining > 0) {
      state.failRemaining--;
      return jsonAnswer(state.failStatus, { error: 'told to fail' }, state.retryAfter);
    }
    return jsonAnswer(200, byKey.has(key) ? { duplicate: true } : { received: true });
  };

  const acknowledge = (request: WebhookRequest, key: string) => {
    const attempts = request.seenBefore + 1;
    const existing = byKey.get(key);
    if (existing !== undefined) {
      // Already acknowledged once: acknowledge again, do not process again.
      existing.attempts = attempts;
      state.duplicates++;
      return;
    }
    let parsed: unknown = request.body;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      // not JSON: keep the text
    }
    const record: ReceivedWebhook = {
      id: request.webhookId ?? '',
      timestamp: request.headers['webhook-timestamp'] ?? '',
      path: request.path,
      receivedAt: new Date(request.at).toISOString(),
      attempts,
      body: parsed,
      ...(request.verifiedBy !== undefined ? { verifiedBy: request.verifiedBy } : {}),
    };
    byKey.set(key, record);
    order.push(record);
    log(`[receiver] ${record.id} ${(parsed as { type?: string } | null)?.type ?? ''} received`);
    options.onAccepted?.(record, request);
  };

  const send = (res: ServerResponse, answer: Answer) => {
    switch (answer.kind) {
      case 'status': {
        const headers: Record<string, string> = {
          ...(answer.body === undefined ? { 'content-type': 'text/plain' } : {}),
          ...(answer.retryAfter !== undefined ? { 'retry-after': answer.retryAfter } : {}),
          ...answer.headers,
        };
        const reply = () => res.writeHead(answer.status, headers).end(answer.body ?? String(answer.status));
        if (answer.delayMs === undefined) return reply();
        // Held like a hanging request (stop() drops it), but answered; not if the sender gave up first.
        hanging.add(res);
        const timer = setTimeout(() => {
          hanging.delete(res);
          if (!res.destroyed) reply();
        }, answer.delayMs);
        res.on('close', () => {
          clearTimeout(timer);
          hanging.delete(res);
        });
        return;
      }
      case 'close':
        res.socket?.destroy();
        return;
      case 'hang': {
        hanging.add(res);
        const timer = setTimeout(() => res.destroy(), answer.maxMs ?? DEFAULT_HANG_MS);
        res.on('close', () => {
          clearTimeout(timer);
          hanging.delete(res);
        });
        return;
      }
    }
  };

  const handleWebhook = async (req: IncomingMessage, res: ServerResponse, body: string, at: number) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const headers = flatHeaders(req);
    const webhookId = headers['webhook-id'];
    const key = `${path} ${webhookId ?? ''}`;
    const seenBefore = seen.get(key) ?? 0;
    seen.set(key, seenBefore + 1);
    const known = knownSecrets(path);
    const by = known === undefined ? undefined : await verifiedBy(known, headers, body);
    const request: WebhookRequest = {
      url,
      path,
      method: req.method ?? 'POST',
      at,
      headers,
      body,
      webhookId,
      seenBefore,
      verified: known === undefined ? undefined : by !== undefined,
      ...(by !== undefined ? { verifiedBy: by } : {}),
    };
    let answer: Answer;
    if (request.verified === false && (options.rejectUnverified ?? true)) {
      state.rejected++;
      log(`[receiver] rejected ${webhookId ?? '(no id)'}: bad signature`);
      answer = jsonAnswer(401, { error: 'invalid signature' });
    } else {
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
      answer = options.respond?.(request) ?? standardAnswer(key);
      if (answer.kind === 'status' && answer.status >= 200 && answer.status < 300) acknowledge(request, key);
      else if (answer.kind === 'status') log(`[receiver] ${webhookId}: answering ${answer.status} (as told)`);
    }
    if (keepRequests)
      logged.push({ ...request, answered: answer.kind === 'status' ? String(answer.status) : answer.kind });
    send(res, answer);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then(async (body) => {
        const at = Date.now();
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (req.method === 'GET' && path === '/received')
          return json(res, 200, {
            count: order.length,
            duplicates: state.duplicates,
            rejected: state.rejected,
            jwksFetches: v1a.fetches(),
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
        if (req.method === 'POST') return handleWebhook(req, res, body, at);
        json(res, 404, { error: 'not found' });
      })
      .catch((error: unknown) =>
        json(res, 400, { error: error instanceof Error ? error.message : 'bad request' }),
      );
  };

  let server: Server | undefined;
  let port = options.port ?? 0;
  const closing = new Set<Server>(); // stopped listening, may still hold hanging requests
  const listen = async () => {
    if (server !== undefined) return;
    const next = createServer(handle);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const refuseNew = () => {
    if (server === undefined) return;
    closing.add(server);
    server.close();
    server = undefined;
  };
  const stop = async () => {
    refuseNew();
    for (const res of hanging) res.destroy();
    hanging.clear();
    const servers = [...closing];
    closing.clear();
    await Promise.all(
      servers.map((s) => {
        s.closeAllConnections();
        return new Promise<void>((resolve) => s.close(() => resolve()));
      }),
    );
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => [...order],
    requests: () => [...logged],
    control: apply,
    setSecrets: (next) => {
      secrets = [...next];
    },
    start: listen,
    stop,
    refuseNew,
    close: stop,
  };
}
