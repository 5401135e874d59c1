/**
 * A real HTTP server on 127.0.0.1 that plays the Herald API for CLI tests: each test registers the
 * answers it needs (method + path → status + body) and reads back the requests the CLI made.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly contentType?: string;
}

type Responder = (request: RecordedRequest) => Answer;

interface FakeApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  on(method: string, path: string, responder: Responder | Answer): void;
  close(): Promise<void>;
}

async function startFakeApi(): Promise<FakeApi> {
  const routes = new Map<string, Responder>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(request);
      const responder = routes.get(`${request.method} ${request.path}`);
      const answer: Answer = responder?.(request) ?? {
        status: 404,
        body: {
          type: 'about:blank',
          title: 'Not Found',
          status: 404,
          code: 'not_found',
          detail: 'No such route',
        },
        contentType: 'application/problem+json',
      };
      const contentType =
        answer.contentType ?? (answer.status >= 400 ? 'application/problem+json' : 'application/json');
      res.writeHead(answer.status, { 'content-type': contentType });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(method, path, responder) {
      routes.set(`${method} ${path}`, typeof responder === 'function' ? responder : () => responder);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** A problem document as the API sends it. */
function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Answer {
  return { status, body: { type: 'about:blank', title: code, status, code, detail, ...extra } };
}

/** A captured output stream; `isTTY` decides whether progress bars are drawn. */
class Capture {
  text = '';
  readonly isTTY: boolean;
  constructor(isTTY = false) {
    this.isTTY = isTTY;
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export type { Answer, FakeApi, RecordedRequest };
export { Capture, problem, startFakeApi };
