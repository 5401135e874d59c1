/**
 * The end-to-end tests' face of Herald's one receiver (local/receiver): each endpoint under test gets
 * its own path (`/hooks/<name>`); a path answers from a script of behaviours, one per request, then
 * from its default (200). `stop()`/`start()` keep the same port, so "connection refused" and "it came
 * back" are real.
 *
 * Every webhook to a path whose endpoint secret is known (`rememberSecret`, called by the
 * `createEndpoint` fixture) is verified with the off-the-shelf `standardwebhooks` package, so every
 * end-to-end run also proves that receivers in the wild can verify Herald's signatures; it is answered
 * as scripted all the same, and `suite.ts` fails a file in which one did not verify.
 */
import {
  type Answer,
  type LoggedRequest,
  type Receiver,
  startReceiver,
} from '../../../local/receiver/receiver.js';

/** What the receiver does with one request. */
type Behaviour = Answer;

/** One request to the receiver, as it arrived and as it was answered. */
type ReceivedWebhook = LoggedRequest;

/** Endpoint secrets by receiver path (`/hooks/<name>`), as the API returned them. */
const knownSecrets = new Map<string, Set<string>>();

/** Remembers a signing secret of the endpoint registered at `url` (creation or rotation). */
function rememberSecret(url: string, secret: string): void {
  const path = new URL(url).pathname;
  knownSecrets.set(path, new Set([...(knownSecrets.get(path) ?? []), secret]));
}

/** Given the webhook id and how often this path saw it before; undefined falls back to script/default. */
type Responder = (webhookId: string | undefined, seenBefore: number) => Behaviour | undefined;

const ok: Behaviour = { kind: 'status', status: 200 };
const status = (code: number, retryAfter?: string): Behaviour =>
  retryAfter === undefined ? { kind: 'status', status: code } : { kind: 'status', status: code, retryAfter };
/** Answers `code` (200) only after `ms`: a receiver that is slow but works. */
const slow = (ms: number, code = 200): Behaviour => ({ kind: 'status', status: code, delayMs: ms });
const hang = (maxMs?: number): Behaviour =>
  maxMs === undefined ? { kind: 'hang' } : { kind: 'hang', maxMs };

class TestReceiver {
  private receiver: Receiver | undefined;
  private readonly scripts = new Map<string, Behaviour[]>();
  private readonly defaults = new Map<string, Behaviour>();
  private readonly responders = new Map<string, Responder>();

  /** Listens on a free port, or again on the same one after `stop()`. */
  async start(): Promise<void> {
    if (this.receiver !== undefined) return this.receiver.start();
    this.receiver = await startReceiver({
      secretsFor: (path) => knownSecrets.get(path),
      rejectUnverified: false,
      respond: ({ path, webhookId, seenBefore }) =>
        this.responders.get(path)?.(webhookId, seenBefore) ??
        this.scripts.get(path)?.shift() ??
        this.defaults.get(path) ??
        ok,
    });
  }

  /** Stops listening and drops open connections: senders now see "connection refused". */
  async stop(): Promise<void> {
    await this.receiver?.stop();
  }

  /**
   * Stops accepting connections but leaves requests already hanging open, so their senders still
   * time out (rather than see a reset) while new attempts are refused.
   */
  refuseNew(): void {
    this.receiver?.refuseNew();
  }

  /** The URL to register for `name`; `HERALD_E2E_RECEIVER_BASE` replaces the origin (e.g. a tunnel). */
  url(name: string): string {
    // A remote target cannot reach this machine: without a tunnel, register a public placeholder
    // (RFC 2606 example.com) so endpoint creation still passes the SSRF checks.
    const remoteWithoutTunnel = process.env.HERALD_E2E_TARGET === 'remote';
    const base =
      process.env.HERALD_E2E_RECEIVER_BASE ??
      (remoteWithoutTunnel ? 'https://example.com' : (this.receiver?.url ?? 'http://127.0.0.1:0'));
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
    const all = this.receiver?.requests() ?? [];
    return name === undefined ? all : all.filter((r) => r.path === `/hooks/${name}`);
  }

  /** Requests answered 2xx, i.e. deliveries the sender saw succeed. */
  accepted(name?: string): ReceivedWebhook[] {
    return this.received(name).filter((r) => /^2\d\d$/.test(r.answered));
  }

  /** How many webhooks `standardwebhooks` verified, how many it rejected, and how many had no known secret. */
  verification(): { verified: number; rejected: ReceivedWebhook[]; unknown: number } {
    const all = this.received();
    return {
      verified: all.filter((r) => r.verified === true).length,
      rejected: all.filter((r) => r.verified === false),
      unknown: all.filter((r) => r.verified === undefined).length,
    };
  }
}

export type { Behaviour, ReceivedWebhook, Responder };
export { hang, ok, rememberSecret, slow, status, TestReceiver };
