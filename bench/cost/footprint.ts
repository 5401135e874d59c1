/**
 * What an event leaves behind that a bill charges for but no request count shows, measured through
 * the whole local runtime (issue 21): the log bytes the functions write per event (Powertools JSON
 * lines and EMF metrics, what CloudWatch Logs ingests), the DynamoDB bytes it leaves stored (item
 * sizes by DynamoDB's rules, 100 bytes of overhead per item and per index entry, each weighted by how
 * long its TTL keeps it), and the bytes of the webhook POST on the wire. The scenario is the cost
 * model's event (bench/herald/calls.ts): an `order.placed` with the invoice job and one endpoint, one
 * at a time, after one event that warms the containers.
 *
 * Two figures are computed from documented formats rather than measured, since the local runtime has
 * neither: the API access log line (lib/events-api.ts ACCESS_LOG_FORMAT filled with values of
 * API Gateway's lengths) and Lambda's platform lines at system log level INFO (the JSON log format's
 * platform.start and platform.report records, AWS Lambda developer guide "Log formats").
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ACCESS_LOG_FORMAT } from '../../lib/events-api.js';
import { countsSince } from '../../local/request-counter.js';
import type { HeraldLocal } from '../../local/runtime.js';
import { apiClient, expectStatus } from '../herald/api.js';
import { waitFor } from '../lib/time.js';
import type { Footprint } from './monthly.js';

const SECONDS_PER_MONTH = 730 * 3600;
/** DynamoDB storage: each item, and each index entry, carries 100 bytes of overhead. */
const ITEM_OVERHEAD_BYTES = 100;

/** Size of a number attribute by DynamoDB's rule: about one byte per two significant digits, plus one. */
function numberBytes(text: string): number {
  const digits = text.replace(/^-/, '').replace(/\./, '').replace(/^0+/, '').replace(/e.*$/i, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Bytes of an attribute value (DynamoDB developer guide, "Item sizes and formats"). */
function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((s, v) => s + Buffer.byteLength(v), 0);
  if (value.NS !== undefined) return value.NS.reduce((s, v) => s + numberBytes(v), 0);
  if (value.BS !== undefined) return value.BS.reduce((s, v) => s + v.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((s, v) => s + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + itemBytes(value.M);
  return 0;
}

/** Attribute names and values of an item, without the per-item overhead. */
function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((s, [name, v]) => s + Buffer.byteLength(name) + valueBytes(v), 0);
}

/**
 * Byte-months an item costs while it lives: its size, its overhead, its list-index entry (gsi1k: keys
 * and `type`), times the part of a month its TTL (`expiresAt`, Powertools' `expiration`) keeps it.
 */
function storedByteMonths(item: Record<string, AttributeValue>, nowSeconds: number): number {
  let bytes = itemBytes(item) + ITEM_OVERHEAD_BYTES;
  if (item.gsi1pk !== undefined) {
    const entry: Record<string, AttributeValue> = {
      pk: item.pk!,
      sk: item.sk!,
      gsi1pk: item.gsi1pk,
      gsi1sk: item.gsi1sk!,
    };
    if (item.type !== undefined) entry.type = item.type;
    bytes += itemBytes(entry) + ITEM_OVERHEAD_BYTES;
  }
  const ttl = item.expiresAt?.N ?? item.expiration?.N;
  const lifetime = ttl === undefined ? SECONDS_PER_MONTH : Math.max(0, Number(ttl) - nowSeconds);
  return bytes * Math.min(1, lifetime / SECONDS_PER_MONTH);
}

async function scanAll(
  client: DynamoDBClient,
  table: string,
): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? [])
      items.set(JSON.stringify([item.pk ?? item.id, item.sk ?? null]), item);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** API Gateway's access log line for one request, values at the lengths API Gateway writes them. */
function accessLogLineBytes(): number {
  const sample: Record<keyof typeof ACCESS_LOG_FORMAT, string> = {
    requestId: 'Ab1Cd2Ef3Gh4Ij5=',
    time: '07/Dec/2026:10:30:00 +0000',
    ip: '203.0.113.20',
    method: 'POST',
    path: '/v1/events',
    routeKey: 'POST /v1/events',
    status: '202',
    responseLength: '118',
    latencyMs: '41',
    integrationLatencyMs: '38',
    authenticated: 'true',
    keyId: 'key_0123456789abcdef',
    role: 'publisher',
    tenantId: '',
    error: '-',
  };
  return Buffer.byteLength(JSON.stringify(sample)) + 1;
}

/** platform.start + platform.report in Lambda's JSON log format, with values at their real lengths. */
function platformLogBytesPerInvocation(): number {
  const requestId = '8f5a7c2e-3b1d-4e6f-9a0b-1c2d3e4f5a6b';
  const start = {
    time: '2026-12-07T10:30:00.000Z',
    type: 'platform.start',
    record: { requestId, version: '$LATEST' },
  };
  const report = {
    time: '2026-12-07T10:30:00.045Z',
    type: 'platform.report',
    record: {
      requestId,
      metrics: { durationMs: 44.12, billedDurationMs: 45, memorySizeMB: 256, maxMemoryUsedMB: 98 },
      status: 'success',
    },
  };
  return Buffer.byteLength(JSON.stringify(start)) + Buffer.byteLength(JSON.stringify(report)) + 2;
}

/** Counts function log bytes between `start()` and `stop()` (lines a function wrote, runtime lines excluded). */
class LogMeter {
  private counting = false;
  bytes = 0;
  lines = 0;
  readonly sink = (line: string): void => {
    if (!this.counting) return;
    const match = /^\[([^\]]+)\] (.*)$/.exec(line);
    if (match === null || /^(http|states|herald|events|poller)/.test(match[1]!)) return;
    this.bytes += Buffer.byteLength(match[2]!) + 1;
    this.lines++;
  };
  start(): void {
    this.counting = true;
  }
  stop(): void {
    this.counting = false;
  }
}

/** Runs the model's event `events` times through `local` (started with `meter.sink` as its log). */
/**
 * Requests per event when ten events arrive in one POST /v1/events/batch, counted at the emulators as
 * bench/herald/calls.ts counts single events: what the cost model's batched rows assume (one SNS
 * request, one ingest invocation, no authorizer invocation for ten events).
 */
interface BatchCalls {
  readonly events: number;
  readonly perEvent: Readonly<Record<string, number>>;
}

async function measureBatchCalls(
  local: HeraldLocal,
  receivedIds: () => ReadonlySet<string>,
  url: string,
): Promise<BatchCalls> {
  const client = apiClient(local.apiUrl, local.adminApiKey);
  const tenantId = `t_batchcalls_${Date.now().toString(36)}`;
  await expectStatus(client, 201, 'POST', '/v1/endpoints', { tenantId, url, eventTypes: ['order.*'] });
  const events = 10;
  const drained = () =>
    (local.metrics().queues as Array<{ isDlq: boolean; visible: number; inFlight: number }>)
      .filter((q) => !q.isDlq)
      .every((q) => q.visible === 0 && q.inFlight === 0);
  const send = async (label: string) => {
    const answer = await expectStatus<{ items: { status: number; id?: string }[] }>(
      client,
      207,
      'POST',
      '/v1/events/batch',
      {
        events: Array.from({ length: events }, (_, i) => ({
          type: 'order.placed',
          tenantId,
          data: {
            orderId: `${label}-${Date.now().toString(36)}-${i}`,
            currency: 'EUR',
            lines: [{ sku: 'A', quantity: 1, unitPrice: 100 }],
          },
        })),
      },
    );
    const ids = answer.items.map((i) => i.id ?? '');
    if (answer.items.some((i) => i.status !== 202)) throw new Error('a batch item was refused');
    const ok = await waitFor(() => ids.every((id) => receivedIds().has(id)) && drained(), {
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    if (!ok) throw new Error('the batch did not settle within 30 s');
  };
  await send('warm');
  const before = await local.requestCounts();
  await send('count');
  const delta = countsSince(await local.requestCounts(), before);
  const perEvent: Record<string, number> = {};
  for (const [op, n] of Object.entries(delta)) {
    if (op === 'sqs:ReceiveMessage') continue;
    perEvent[op] = Math.round((n / events) * 100) / 100;
  }
  return { events, perEvent };
}

async function measureFootprint(
  local: HeraldLocal,
  meter: LogMeter,
  events = 10,
): Promise<Footprint & { readonly batchCalls: BatchCalls }> {
  const requests: number[] = [];
  const received = new Set<string>();
  const server = createServer((req, res) => {
    const head = `${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${String(v)}\r\n`)
      .join('')}\r\n`;
    let body = 0;
    req.on('data', (chunk: Buffer) => {
      body += chunk.length;
    });
    req.on('end', () => {
      requests.push(Buffer.byteLength(head) + body);
      received.add(String(req.headers['webhook-id']));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/footprint`;
  const client = apiClient(local.apiUrl, local.adminApiKey);
  const dynamo = new DynamoDBClient({
    endpoint: local.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tenantId = `t_footprint_${Date.now().toString(36)}`;
  try {
    await expectStatus(client, 201, 'POST', '/v1/endpoints', { tenantId, url, eventTypes: ['order.*'] });
    let n = 0;
    const publish = async () => {
      const accepted = await expectStatus<{ id: string }>(client, 202, 'POST', '/v1/events', {
        type: 'order.placed',
        tenantId,
        data: {
          orderId: `o-${Date.now().toString(36)}-${n++}`,
          currency: 'EUR',
          lines: [{ sku: 'A', quantity: 1, unitPrice: 100 }],
        },
      });
      const drained = () =>
        (local.metrics().queues as Array<{ isDlq: boolean; visible: number; inFlight: number }>)
          .filter((q) => !q.isDlq)
          .every((q) => q.visible === 0 && q.inFlight === 0);
      const ok = await waitFor(() => received.has(accepted.id) && drained(), {
        timeoutMs: 20_000,
        intervalMs: 10,
      });
      if (!ok) throw new Error(`event ${accepted.id} did not settle within 20 s`);
    };
    await publish(); // warms the containers and their caches
    const tables = Object.values(local.tables);
    const before = new Map<string, Set<string>>();
    for (const table of tables) before.set(table, new Set((await scanAll(dynamo, table)).keys()));
    requests.length = 0;
    meter.start();
    for (let i = 0; i < events; i++) await publish();
    meter.stop();
    const now = Math.floor(Date.now() / 1000);
    let byteMonths = 0;
    for (const table of tables) {
      for (const [key, item] of await scanAll(dynamo, table)) {
        if (!before.get(table)!.has(key)) byteMonths += storedByteMonths(item, now);
      }
    }
    const batchCalls = await measureBatchCalls(local, () => received, url);
    return {
      batchCalls,
      source: `bench/cost/footprint.ts through the local runtime, ${events} order.placed events (invoice job, one endpoint), ${new Date().toISOString().slice(0, 10)}`,
      appLogBytesPerEvent: Math.round(meter.bytes / events),
      accessLogBytesPerRequest: accessLogLineBytes(),
      platformLogBytesPerInvocation: platformLogBytesPerInvocation(),
      storedByteMonthsPerEvent: Math.round(byteMonths / events),
      webhookRequestBytes: Math.round(requests.reduce((s, b) => s + b, 0) / Math.max(1, requests.length)),
    };
  } finally {
    dynamo.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export { LogMeter, measureFootprint };
