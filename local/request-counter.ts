// Counts AWS API requests as the emulators receive them: every HTTP request that reaches a server in
// this process (node:diagnostics_channel 'http.server.request.start') and carries a SigV4 signature is
// counted under `<service>:<operation>` — the service from the signature's credential scope, the
// operation from X-Amz-Target (JSON protocols: DynamoDB, SQS, Step Functions). Query-protocol calls
// (SNS) name their action in the body, which is not read here: they count as `<service>:(query)`.
// Webhook POSTs, HTTP API calls and the metrics endpoint carry no SigV4 signature and are not counted.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

const CHANNEL = 'http.server.request.start';

/** `dynamodb:PutItem`, `sqs:ReceiveMessage`, `sns:(query)`; undefined when the request is not SigV4-signed. */
function awsOperationOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256')) return undefined;
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1] ?? 'unknown';
  const target = headers['x-amz-target'];
  const operation =
    typeof target === 'string' && target !== '' ? target.slice(target.lastIndexOf('.') + 1) : '(query)';
  return `${service}:${operation}`;
}

export type RequestCounts = Record<string, number>;

/** Counts since `start()`, by `<service>:<operation>`. */
export class RequestCounter {
  private readonly counts = new Map<string, number>();
  /** @param ports only requests to these local ports (several runtimes may share a process); all if omitted */
  constructor(private readonly ports?: ReadonlySet<number>) {}

  private readonly listener = (message: unknown) => {
    const request = (message as { request?: IncomingMessage }).request;
    if (request === undefined) return;
    if (this.ports !== undefined && !this.ports.has(request.socket.localPort ?? -1)) return;
    const op = awsOperationOf(request.headers);
    if (op !== undefined) this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
  };

  start(): this {
    subscribe(CHANNEL, this.listener);
    return this;
  }

  stop(): void {
    unsubscribe(CHANNEL, this.listener);
  }

  snapshot(): RequestCounts {
    return Object.fromEntries(this.counts);
  }
}

/** `after − before`, per key, leaving out zeros. */
export function countsSince(after: RequestCounts, before: RequestCounts): RequestCounts {
  const out: RequestCounts = {};
  for (const [key, n] of Object.entries(after)) {
    const d = n - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}
