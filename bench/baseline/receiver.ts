/**
 * The local webhook receiver both the baseline and Herald deliver to: verifies the signature, can
 * fail a share of first attempts with 503 (to exercise retries), and records publish → 2xx latency.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cryptoSignature } from './signer.js';

interface ReceiverOptions {
  readonly secret: string;
  /** Share (0..1) of webhook ids whose first attempt is answered 503. */
  readonly failFirstAttemptRate: number;
}

interface Receiver {
  readonly url: string;
  readonly delivered: Set<string>;
  readonly latenciesMs: number[];
  readonly rejected: { signature: number; injected: number };
  close(): Promise<void>;
}

/** Deterministic per id, so the same ids fail in every run. */
function failsFirst(id: string, rate: number): boolean {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return (h % 10_000) / 10_000 < rate;
}

async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const delivered = new Set<string>();
  const seen = new Set<string>();
  const latenciesMs: number[] = [];
  const rejected = { signature: 0, injected: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const ts = Number(req.headers['webhook-timestamp']);
      const expected = cryptoSignature(options.secret, id, ts, body);
      const given = String(req.headers['webhook-signature'] ?? '').split(' ');
      if (!given.includes(expected)) {
        rejected.signature++;
        res.writeHead(401).end();
        return;
      }
      if (!seen.has(id) && failsFirst(id, options.failFirstAttemptRate)) {
        seen.add(id);
        rejected.injected++;
        res.writeHead(503).end();
        return;
      }
      seen.add(id);
      if (!delivered.has(id)) {
        delivered.add(id); // receivers dedupe on webhook-id
        const { createdAt } = JSON.parse(body) as { createdAt: number };
        latenciesMs.push(Date.now() - createdAt);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    delivered,
    latenciesMs,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type { Receiver, ReceiverOptions };
export { failsFirst, startReceiver };
