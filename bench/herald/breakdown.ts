/**
 * Where the time goes, from timestamps the benchmark can observe (one clock: everything runs in this
 * process): publish sent → event createdAt (ingest handler) → 202 back; createdAt → first attempt `at`
 * (SNS → SQS → poller → dispatch → endpoint lookup + claim); attempt `at` → receiver saw it (sign +
 * POST); attempt durationMs (the whole POST round trip as dispatch measured it). Attempts are read
 * after the run through GET /v1/events/{id}/deliveries for an evenly spaced sample of events.
 */

import { type LatencySummary, summarize } from '../lib/stats.js';
import { type ApiClient, attemptsOf } from './api.js';
import type { PublishRecord } from './publisher.js';

interface StageBreakdown {
  readonly sampled: number;
  /** publish sent → event createdAt: HTTP API, authorizer, waiting for an ingest worker. */
  readonly apiToIngest: LatencySummary;
  /** createdAt → 202 received: SNS publish and the response path. */
  readonly ingestToResponse: LatencySummary;
  /** createdAt → first attempt starts: SNS → SQS → poll → dispatch invoke → endpoint lookup → claim. */
  readonly queueToDispatch: LatencySummary;
  /** first attempt starts → receiver has it: signing and the POST. */
  readonly dispatchToReceiver: LatencySummary;
  /** durationMs recorded on the attempt (POST round trip). */
  readonly postRoundTrip: LatencySummary;
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Evenly spaced sample of `size` records (all when fewer). */
function spread<T>(items: readonly T[], size: number): T[] {
  if (items.length <= size) return [...items];
  const step = items.length / size;
  return Array.from({ length: size }, (_, k) => items[Math.floor(k * step)] as T);
}

async function stageBreakdown(
  client: ApiClient,
  records: readonly PublishRecord[],
  receivedAt: ReadonlyMap<string, number>,
  sampleSize = 100,
): Promise<StageBreakdown> {
  const accepted = records.filter((r) => r.id !== undefined && r.createdAt !== undefined);
  const sample = spread(accepted, sampleSize);
  const firstAttempts = await mapLimited(sample, 4, async (r) => {
    const items = await attemptsOf(client, r.id as string).catch(() => []);
    return items.find((a) => a.attempt === 1);
  });
  const apiToIngest: number[] = [];
  const ingestToResponse: number[] = [];
  const queueToDispatch: number[] = [];
  const dispatchToReceiver: number[] = [];
  const postRoundTrip: number[] = [];
  sample.forEach((r, i) => {
    const created = r.createdAt as number;
    apiToIngest.push(created - r.sentAt);
    ingestToResponse.push(r.respondedAt - created);
    const attempt = firstAttempts[i];
    if (attempt === undefined) return;
    const at = Date.parse(attempt.at);
    queueToDispatch.push(at - created);
    postRoundTrip.push(attempt.durationMs);
    const received = receivedAt.get(r.id as string);
    // Only first attempts that succeeded: a retried event's receive time belongs to a later attempt.
    if (received !== undefined && attempt.outcome === 'delivered') dispatchToReceiver.push(received - at);
  });
  return {
    sampled: sample.length,
    apiToIngest: summarize(apiToIngest),
    ingestToResponse: summarize(ingestToResponse),
    queueToDispatch: summarize(queueToDispatch),
    dispatchToReceiver: summarize(dispatchToReceiver),
    postRoundTrip: summarize(postRoundTrip),
  };
}

export type { StageBreakdown };
export { mapLimited, spread, stageBreakdown };
