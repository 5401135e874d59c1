/**
 * Publishes events through `POST /v1/events` and records, per request, when it was sent, when the 202
 * came back and what the API answered. Open loop at an offered rate (a request is sent when it is due,
 * whether or not earlier ones have answered) with a cap on requests in flight so a saturated API cannot
 * make the client unbounded; at "max" it is closed loop end to end (`outstanding`: a new event only when
 * fewer than so many are in the pipeline), so "max" is the rate the whole pipeline sustains. node:http with a
 * keep-alive agent: cheaper per request than fetch, which matters on 2 cores shared with the server.
 */

import { Agent, request } from 'node:http';
import { sleep } from '../lib/time.js';

interface PublishOptions {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly count: number;
  /** undefined = as fast as `maxInFlight` concurrent requests allow. */
  readonly offeredPerSecond?: number;
  /** @default 128 */
  readonly maxInFlight?: number;
  /** Stop sending new requests after this instant (ms epoch). */
  readonly deadlineAt: number;
  /**
   * Closed loop end to end: send only while fewer than `max` events are accepted but not yet received
   * (`received()` counts receipts of this publisher's events). Without it a closed loop only waits for
   * 202s, and an API that accepts faster than the pipeline delivers builds an unbounded backlog that
   * takes CPU from delivery and makes every latency a queueing time.
   */
  readonly outstanding?: Outstanding;
  readonly event: (i: number) => { type: string; tenantId: string; data: unknown };
}

/** Shared by consecutive publish calls of one run, so events still in the pipeline count across them. */
interface Outstanding {
  readonly max: number;
  /** Receipts so far of this run's events. */
  readonly received: () => number;
  /** Sent and refused (non-202) so far in this run: the publisher adds to them. */
  readonly tally: { sent: number; refused: number };
}

interface PublishRecord {
  readonly index: number;
  /** When the request was handed to the socket (ms epoch). */
  readonly sentAt: number;
  respondedAt: number;
  status: number;
  id?: string;
  /** The event's createdAt (set by the ingest function), ms epoch. */
  createdAt?: number;
}

interface PublishOutcome {
  readonly records: PublishRecord[];
  /** Longest wait for a free in-flight slot: > 0 means the open loop had to slow down. */
  readonly maxSlotWaitMs: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

function postJson(
  agent: Agent,
  url: URL,
  apiKey: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolve({ status: 0, text: '' }));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, text: '' }));
    req.end(body);
  });
}

async function publishEvents(options: PublishOptions): Promise<PublishOutcome> {
  const maxInFlight = options.maxInFlight ?? 128;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const url = new URL('/v1/events', options.apiUrl);
  const records: PublishRecord[] = [];
  const pending = new Set<Promise<void>>();
  let maxSlotWaitMs = 0;
  const startedAt = Date.now();
  const gate = options.outstanding;
  const inPipeline = (g: Outstanding): number => g.tally.sent - g.tally.refused - g.received();

  const send = (index: number): void => {
    const body = JSON.stringify(options.event(index));
    const record: PublishRecord = { index, sentAt: Date.now(), respondedAt: 0, status: 0 };
    records.push(record);
    const p = postJson(agent, url, options.apiKey, body).then(({ status, text }) => {
      record.respondedAt = Date.now();
      record.status = status;
      if (status !== 202 && gate !== undefined) gate.tally.refused++;
      if (status === 202) {
        const accepted = JSON.parse(text) as { id: string; createdAt: string };
        record.id = accepted.id;
        record.createdAt = Date.parse(accepted.createdAt);
      }
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  for (let i = 0; i < options.count && Date.now() < options.deadlineAt; i++) {
    if (options.offeredPerSecond !== undefined) {
      const due = startedAt + (i * 1000) / options.offeredPerSecond;
      const ahead = due - Date.now();
      if (ahead >= 1) await sleep(ahead);
    }
    if (gate !== undefined) {
      while (inPipeline(gate) >= gate.max && Date.now() < options.deadlineAt) await sleep(1);
      if (Date.now() >= options.deadlineAt) break;
      gate.tally.sent++;
    }
    if (pending.size >= maxInFlight) {
      const waitStarted = Date.now();
      while (pending.size >= maxInFlight) await Promise.race(pending);
      maxSlotWaitMs = Math.max(maxSlotWaitMs, Date.now() - waitStarted);
    }
    send(i);
  }
  await Promise.all(pending);
  agent.destroy();
  return { records, maxSlotWaitMs, startedAt, finishedAt: Date.now() };
}

export type { Outstanding, PublishOptions, PublishOutcome, PublishRecord };
export { publishEvents };
