/**
 * A fault-injectable webhook receiver on node:http, independent of the demo receiver in local/receiver.
 * Each endpoint under test gets its own path (`/hooks/<name>`); a path answers from a script of
 * behaviours, one per request, then from its default (200). `stop()`/`start()` keep the same port, so
 * "connection refused" and "it came back" are real.
 *
 * Every webhook to a path whose endpoint secret is known (`rememberSecret`, called by the
 * `createEndpoint` fixture) is verified with the off-the-shelf `standardwebhooks` package, so every
 * end-to-end run also proves that receivers in the wild can verify Herald's signatures; `suite.ts`
 * fails a file in which one did not verify.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** What the receiver does with one request. */
type Behaviour =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  /** Holds the request open until the sender gives up (its timeout), or `maxMs` passes. */
  | { readonly kind: 'hang'; readonly maxMs?: number }
  /** Destroys the socket without answering. */
  | { readonly kind: 'close' };

interface ReceivedWebhook {
  readonly path: string;
  /** Milliseconds since the epoch, when the request finished arriving. */
  readonly at: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
  readonly webhookId: string | undefined;
  readonly answered: string;
  /** Verified by `standardwebhooks` with a secret known for its path; undefined when none is known. */
  readonly verified: boolean | undefined;
}

/** Endpoint secrets by receiver path (`/hooks/<name>`), as the API returned them. */
const knownSecrets = new Map<string, Set<string>>();

/** Remembers a signing secret of the endpoint registered at `url` (creation or rotation). */
function rememberSecret(url: string, secret: string): void {
  const path = new URL(url).pathname;
  knownSecrets.set(path, new Set([...(knownSecrets.get(path) ?? []), secret]));
}

/** Whether any known secret of `path` verifies the webhook, by the `standardwebhooks` package. */
function verifiedByLibrary(path: string, headers: Record<string, string | undefined>, body: string) {
  const secrets = knownSecrets.get(path);
  if (secrets === undefined) return undefined;
  const signed = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  return [...secrets].some((secret) => {
    try {
      new Webhook(secret).verify(body, signed);
      return true;
    } catch {
      return false;
    }
  });
}

/** Given the webhook id and how often this path saw it before; undefined falls back to script/default. */
type Responder = (webhookId: string | undefined, seenBefore: number) => Behaviour | undefined;

const ok: Behaviour = { kind: 'status', status: 200 };
const status = (code: number, retryAfter?: string): Behaviour =>
  retryAfter === undefined ? { kind: 'status', status: code } : { kind: 'status', status: code, retryAfter };
const hang = (maxMs?: number): Behaviour =>
  maxMs === undefined ? { kind: 'hang' } : { kind: 'hang', maxMs };

const DEFAULT_HANG_MS = 120_000;

function flatHeaders(request: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

class TestReceiver {
  private server: Server | undefined;
  private port = 0;
  private readonly scripts = new Map<string, Behaviour[]>();
  private readonly defaults = new Map<string, Behaviour>();
  private readonly responders = new Map<string, Responder>();
  /** Servers that stopped listening but still hold hanging requests. */
  private readonly closing = new Set<Server>();
  private readonly log: ReceivedWebhook[] = [];
  /** Requests per "path webhook-id", kept apart from the log so a load run stays O(1) per request. */
  private readonly seen = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly host = '127.0.0.1') {}

  /** Listens (again) on the same port once one was chosen. */
  async start(port = this.port): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: senders now see "connection refused". */
  async stop(): Promise<void> {
    this.refuseNew();
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    const servers = [...this.closing];
    this.closing.clear();
    await Promise.all(
      servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  /**
   * Stops accepting connections but leaves requests already hanging open, so their senders still
   * time out (rather than see a reset) while new attempts are refused.
   */
  refuseNew(): void {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.closing.add(server);
    server.close();
  }

  /** The URL to register for `name`; `HERALD_E2E_RECEIVER_BASE` replaces the origin (e.g. a tunnel). */
  url(name: string): string {
    // A remote target cannot reach this machine: without a tunnel, register a public placeholder
    // (RFC 2606 example.com) so endpoint creation still passes the SSRF checks.
    const remoteWithoutTunnel = process.env.HERALD_E2E_TARGET === 'remote';
    const base =
      process.env.HERALD_E2E_RECEIVER_BASE ??
      (remoteWithoutTunnel ? 'https://example.com' : `http://${this.host}:${this.port}`);
    return `${base.replace(/\/$/, '')}/hooks/${name}`;
  }

  /** The next requests to `name` get these behaviours in order, then the default. */
  script(name: string, behaviours: readonly Behaviour[]): void {
    this.scripts.set(`/hooks/${name}`, [...behaviours]);
  }

  /** What `name` answers once its script is used up. */
  setDefault(name: string, behaviour: Behaviour): void {
    this.defaults.set(`/hooks/${name}`, behaviour);
  }

  /** Decides per request (e.g. fail the first attempt of some ids); overrides script and default. */
  respondWith(name: string, responder: Responder): void {
    this.responders.set(`/hooks/${name}`, responder);
  }

  received(name?: string): ReceivedWebhook[] {
    return name === undefined ? [...this.log] : this.log.filter((r) => r.path === `/hooks/${name}`);
  }

  /** Requests answered 2xx, i.e. deliveries the sender saw succeed. */
  accepted(name?: string): ReceivedWebhook[] {
    return this.received(name).filter((r) => /^2\d\d$/.test(r.answered));
  }

  /** How many webhooks `standardwebhooks` verified, how many it rejected, and how many had no known secret. */
  verification(): { verified: number; rejected: ReceivedWebhook[]; unknown: number } {
    return {
      verified: this.log.filter((r) => r.verified === true).length,
      rejected: this.log.filter((r) => r.verified === false),
      unknown: this.log.filter((r) => r.verified === undefined).length,
    };
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const headers = flatHeaders(request);
      const webhookId = headers['webhook-id'];
      const responder = this.responders.get(path);
      const seenKey = `${path} ${webhookId}`;
      const seenBefore = this.seen.get(seenKey) ?? 0;
      this.seen.set(seenKey, seenBefore + 1);
      const behaviour =
        responder?.(webhookId, seenBefore) ??
        this.scripts.get(path)?.shift() ??
        this.defaults.get(path) ??
        ok;
      const body = Buffer.concat(chunks).toString('utf8');
      this.log.push({
        path,
        at: Date.now(),
        headers,
        body,
        webhookId,
        answered: behaviour.kind === 'status' ? String(behaviour.status) : behaviour.kind,
        verified: verifiedByLibrary(path, headers, body),
      });
      this.respond(behaviour, response);
    });
  }

  private respond(behaviour: Behaviour, response: ServerResponse): void {
    switch (behaviour.kind) {
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (behaviour.retryAfter !== undefined) headers['retry-after'] = behaviour.retryAfter;
        response.writeHead(behaviour.status, headers).end(String(behaviour.status));
        return;
      }
      case 'close':
        response.socket?.destroy();
        return;
      case 'hang': {
        this.hanging.add(response);
        const timer = setTimeout(() => response.destroy(), behaviour.maxMs ?? DEFAULT_HANG_MS);
        response.on('close', () => {
          clearTimeout(timer);
          this.hanging.delete(response);
        });
        return;
      }
    }
  }
}

export type { Behaviour, ReceivedWebhook, Responder };
export { hang, ok, rememberSecret, status, TestReceiver };
