/**
 * POST /v1/events/batch (docs/api.md "Batch publish"): up to 100 events in one request, answered
 * `207 { items }` in request order, each item the `202` a single publish would answer or its problem.
 *
 * Every item goes through what POST /v1/events does for one event (lambdas/api/ingest.handler.ts):
 * the same checks, the same tenant-scoped Idempotency-Key records (same Powertools key prefix and
 * payload hash, so a key used in a single publish and in a batch names one event), the same derived
 * event id, and the same commit point — the publish, made per item with its own `publishId` and voided
 * per item when SNS does not take it (docs/patterns/delivery-semantics.md "No orphan events"). What is
 * shared is only the SNS call: the items that reach their publish are sent together with PublishBatch
 * (10 per call), which is what makes a batch cheaper (docs/cost.md).
 *
 * Items with the same (tenant, idempotencyKey) in one request: the first is published; a later one
 * with the same event answers what the first answered, with another event `422`, as a retry would.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type Principal, requirePublisher } from '../shared/auth.js';
import { validateAgainstCatalog } from '../shared/catalog/catalog.js';
import { HeraldError, IdempotencyKeyReusedError, TransientError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { HeraldEvent } from '../shared/model.js';
import { logger, MetricName, MetricUnit, metrics } from '../shared/observability.js';
import { jsonResponse, problemBody, problemResponse } from '../shared/problem.js';
import { publishedMessage } from '../shared/publish.js';
import { type BatchEntry, type EntryOutcome, publishBatch } from '../shared/publish-batch.js';
import { memberText } from '../shared/raw-json.js';
import { cancelPublish } from '../shared/store/events.js';
import { type EventInput, readJsonText } from '../shared/validation.js';
import { type Accepted, idempotencyProblem, lazyIdempotentAccept } from './accept.js';
import {
  type BatchItem,
  batchElements,
  checkItem,
  MAX_BATCH_BODY_BYTES,
  MAX_BATCH_BODY_DEPTH,
} from './batch-request.js';
import { idempotencyScope, keyedEventId } from './event-identity.js';
import { assertDeliverable } from './publish-size.js';
import type { ApiEvent } from './router.js';

/** An item ready to publish: checked, allowed, validated against the catalog, deliverable. */
interface Ready {
  readonly input: EventInput;
  readonly schemaVersion: number | undefined;
  readonly idempotencyKey?: string;
}

type ItemResult =
  | { readonly ok: true; readonly accepted: Accepted }
  | { readonly ok: false; readonly error: unknown };

/**
 * Collects the publishes of one request and sends them together once every item has either asked to
 * publish or settled without publishing (a stored idempotent answer, a 409, a failed check), so no
 * item waits on another longer than that and none is left waiting.
 */
class PublishBarrier {
  private undecided: number;
  private queued: { entry: BatchEntry; settle: (outcome: EntryOutcome) => void }[] = [];

  constructor(participants: number) {
    this.undecided = participants;
  }

  publish(event: HeraldEvent, publishId: string): Promise<EntryOutcome> {
    return new Promise((settle) => {
      this.queued.push({
        entry: { id: `e${this.queued.length}`, message: publishedMessage(event, 'api', publishId) },
        settle,
      });
      this.decided();
    });
  }

  /** This participant will not publish. */
  abstain(): void {
    this.decided();
  }

  private decided(): void {
    this.undecided--;
    if (this.undecided > 0 || this.queued.length === 0) return;
    const queued = this.queued;
    this.queued = [];
    // publishBatch reports failures per entry; should it throw anyway, every entry is failed (voided).
    void publishBatch(queued.map((q) => q.entry)).then(
      (outcomes) => {
        for (const q of queued)
          q.settle(outcomes.get(q.entry.id) ?? { ok: false, error: new Error('no outcome') });
      },
      (error: unknown) => {
        for (const q of queued) q.settle({ ok: false, error });
      },
    );
  }
}

interface PublishRequest {
  readonly key: string;
  readonly input: EventInput;
  readonly schemaVersion: number | undefined;
  readonly idempotencyKey?: string;
  /** Not part of the key or the payload hash (JMESPath selects `key` and `input` only). */
  readonly barrier: PublishBarrier;
  readonly onPublish: () => void;
}

/** One item's publish, the commit point: accepted, or voided and answered 503 (as ingest does for one). */
async function acceptItem(request: PublishRequest): Promise<Accepted> {
  const { input, schemaVersion, idempotencyKey } = request;
  const event: HeraldEvent = {
    id: idempotencyKey === undefined ? newId('evt') : keyedEventId(input.tenantId, idempotencyKey),
    createdAt: new Date().toISOString(),
    ...input,
    ...(schemaVersion !== undefined ? { schemaVersion } : {}),
  };
  const publishId = randomUUID();
  request.onPublish();
  const outcome = await request.barrier.publish(event, publishId);
  if (!outcome.ok) {
    if ((await cancelPublish(event.id, publishId, event.createdAt)) === 'cancelled') {
      throw new TransientError('The event could not be published and was not accepted; retry', {
        cause: outcome.error,
      });
    }
    logger.warn('publish reported failure but the event was recorded: accepted', { eventId: event.id });
  }
  return { id: event.id, type: event.type, tenantId: event.tenantId, createdAt: event.createdAt };
}

const idempotentAccept = lazyIdempotentAccept(acceptItem);

/** Everything a single publish checks before it publishes, for one item: its problem, or ready. */
async function prepare(principal: Principal, item: BatchItem): Promise<Ready | { error: unknown }> {
  if (!item.ok) return { error: item.error };
  try {
    requirePublisher(principal, item.input.tenantId);
    const schemaVersion = await validateAgainstCatalog(item.input.type, item.input.data, item.input.dataJson);
    assertDeliverable({ ...item.input, ...(schemaVersion !== undefined ? { schemaVersion } : {}) });
    return {
      input: item.input,
      schemaVersion,
      ...(item.idempotencyKey !== undefined ? { idempotencyKey: item.idempotencyKey } : {}),
    };
  } catch (error) {
    return { error };
  }
}

const sameEvent = (a: EventInput, b: EventInput): boolean =>
  a.type === b.type && a.tenantId === b.tenantId && a.dataJson === b.dataJson;

/** Publishes the ready items (together), each through its Idempotency-Key when it has one. */
async function publishItems(
  prepared: readonly (Ready | { error: unknown })[],
  context: Context,
): Promise<ItemResult[]> {
  // The first item of each (tenant, key) publishes; later ones copy its answer (or 422).
  const firstOfKey = new Map<string, number>();
  const followerOf = new Map<number, number>();
  prepared.forEach((item, index) => {
    if ('error' in item || item.idempotencyKey === undefined) return;
    const scope = idempotencyScope(item.input.tenantId, item.idempotencyKey);
    const first = firstOfKey.get(scope);
    if (first === undefined) firstOfKey.set(scope, index);
    else followerOf.set(index, first);
  });
  const publishing = prepared.filter((item, index) => !('error' in item) && !followerOf.has(index)).length;
  const barrier = new PublishBarrier(publishing);
  const { config: idempotencyConfig, accept } = idempotentAccept();
  idempotencyConfig.registerLambdaContext(context);

  const results: Promise<ItemResult>[] = prepared.map(async (item, index): Promise<ItemResult> => {
    if ('error' in item) return { ok: false, error: item.error };
    if (followerOf.has(index)) return { ok: false, error: undefined }; // filled in below
    let published = false;
    const request: PublishRequest = {
      key:
        item.idempotencyKey === undefined ? '' : idempotencyScope(item.input.tenantId, item.idempotencyKey),
      input: item.input,
      schemaVersion: item.schemaVersion,
      ...(item.idempotencyKey !== undefined ? { idempotencyKey: item.idempotencyKey } : {}),
      barrier,
      onPublish: () => {
        published = true;
      },
    };
    try {
      const accepted = item.idempotencyKey === undefined ? await acceptItem(request) : await accept(request);
      return { ok: true, accepted };
    } catch (error) {
      return { ok: false, error: idempotencyProblem(error) };
    } finally {
      if (!published) barrier.abstain();
    }
  });
  const settled = await Promise.all(results);
  for (const [index, first] of followerOf) {
    const mine = prepared[index] as Ready;
    const theirs = prepared[first] as Ready;
    settled[index] = sameEvent(mine.input, theirs.input)
      ? settled[first]!
      : {
          ok: false,
          error: new IdempotencyKeyReusedError('This idempotencyKey was already used with a different body'),
        };
  }
  return settled;
}

function itemBody(result: ItemResult, instance: string): Record<string, unknown> {
  if (result.ok) return { status: 202, ...result.accepted };
  const problem = problemBody(result.error, instance);
  if (!(result.error instanceof HeraldError) || problem.status >= 500) {
    logger.error('POST /v1/events/batch item failed', { error: result.error });
  }
  return { status: problem.status, problem };
}

/** The batch route, for a caller ingest has verified and allowed to publish (ingest.handler.ts). */
async function handleBatch(
  event: ApiEvent,
  context: Context,
  principal: Principal,
): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const body = readJsonText(event, { maxBytes: MAX_BATCH_BODY_BYTES, maxDepth: MAX_BATCH_BODY_DEPTH });
    const elements = batchElements(body.value, memberText(body.text, 'events'));
    const prepared = await Promise.all(
      elements.map((element) => prepare(principal, checkItem(element.value, element.text))),
    );
    const results = await publishItems(prepared, context);
    const accepted = results.filter((r) => r.ok).length;
    if (accepted > 0) {
      metrics.addMetric(MetricName.EventsPublished, MetricUnit.Count, accepted);
      metrics.publishStoredMetrics();
    }
    return jsonResponse(207, { items: results.map((r) => itemBody(r, event.rawPath)) });
  } catch (error) {
    if (!(error instanceof HeraldError) || error.status >= 500) {
      logger.error('POST /v1/events/batch failed', { error });
    }
    return problemResponse(error, event.rawPath);
  }
}

export { handleBatch };
