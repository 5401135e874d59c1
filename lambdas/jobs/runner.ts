/**
 * Turns a job definition into an SQS handler. Each record is one event; it runs through Powertools
 * idempotency keyed on event id + job name (a duplicate SQS delivery returns the stored result without
 * running the job again), and records fail independently (partial batch responses). A record that
 * fails with a retryable error (or an error of no Herald class) is thrown back to SQS, which retries
 * it until maxReceiveCount moves it to the DLQ; one whose error says it is not retryable is sent to
 * the job's DLQ at once with the reason attached (dead-letter.ts) and reported done, so it is neither
 * retried in vain nor acknowledged and lost.
 */
import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { HeraldError } from '../shared/errors.js';
import { parseEvent, parseJson } from '../shared/messages.js';
import type { HeraldEvent } from '../shared/model.js';
import { logger, MetricName, MetricUnit, metrics } from '../shared/observability.js';
import { publishEvent } from '../shared/publish.js';
import { getEvent } from '../shared/store/events.js';
import { type JobRun, recordJobRun } from '../shared/store/job-runs.js';
import { derivedEventId } from './derived-id.js';
import { describeFailure, failureAction } from './failure.js';
import { sendToJobDlq } from './job-dlq.js';

interface EmittedEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

interface JobOutput {
  /** Follow-up events: published with deterministic ids and the source event's tenant. */
  readonly emit?: readonly EmittedEvent[];
  /** Stored as the idempotent result; must be JSON-serialisable. */
  readonly result?: unknown;
}

interface JobContext {
  readonly jobName: string;
  readonly lambdaContext: Context;
}

interface JobDefinition {
  /** Matches the declaration in lib/jobs.ts (HERALD_JOB_NAME); part of the idempotency key. */
  readonly name: string;
  readonly handle: (event: HeraldEvent, ctx: JobContext) => Promise<JobOutput>;
}

/** What the idempotency table keeps per (event, job). */
interface StoredOutcome {
  readonly emitted: string[];
  readonly result?: unknown;
}

interface IdempotentInput {
  readonly key: string;
  /** Unique per call: tells a real run from a replayed stored result. */
  readonly token: string;
  readonly event: HeraldEvent;
}

/** A duplicate delivered after the first one completed is answered from the table for this long. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

async function publishFollowUps(source: HeraldEvent, jobName: string, emit: readonly EmittedEvent[]) {
  const ids: string[] = [];
  for (const [index, item] of emit.entries()) {
    const id = derivedEventId(source, jobName, index);
    // A re-emit after a crash publishes the stored copy, so both publishes carry the same createdAt.
    const existing = await getEvent(id);
    const event: HeraldEvent = {
      id,
      type: item.type,
      tenantId: source.tenantId,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
      data: item.data,
    };
    await publishEvent(event, `job:${jobName}`);
    ids.push(id);
  }
  return ids;
}

function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof HeraldError) {
    return { error: error.message, code: error.code, retryable: error.retryable };
  }
  return {
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    retryable: true,
  };
}

/** Which jobs ran for an event, for `herald events get`: advisory, never fails the record. */
async function noteJobRun(event: { id: string; createdAt: string } | undefined, run: JobRun): Promise<void> {
  if (event === undefined) return;
  await recordJobRun(event.id, event.createdAt, run).catch((error: unknown) => {
    logger.warn('job run not recorded', {
      job: run.job,
      eventId: event.id,
      error: describeError(error).error,
    });
  });
}

/** Builds the SQS handler for `definition`. AWS resources are set up on first use, not at import. */
function defineJob(
  definition: JobDefinition,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const ran = new Set<string>();
  let idempotencyConfig: IdempotencyConfig | undefined;
  let runOnce: ((input: IdempotentInput) => Promise<StoredOutcome>) | undefined;
  let lambdaContext: Context | undefined;

  const run = async (input: IdempotentInput): Promise<StoredOutcome> => {
    ran.add(input.token);
    if (lambdaContext === undefined) throw new Error('job invoked without a Lambda context');
    const output = await definition.handle(input.event, { jobName: definition.name, lambdaContext });
    const emitted = await publishFollowUps(input.event, definition.name, output.emit ?? []);
    return { emitted, ...(output.result !== undefined ? { result: output.result } : {}) };
  };

  const setUp = (context: Context) => {
    if (idempotencyConfig === undefined || runOnce === undefined) {
      idempotencyConfig = new IdempotencyConfig({
        eventKeyJmesPath: 'key',
        expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
      });
      runOnce = makeIdempotent(run, {
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName: config.idempotencyTable(),
          awsSdkV3Client: dynamoClient(),
        }),
        config: idempotencyConfig,
      });
    }
    idempotencyConfig.registerLambdaContext(context);
    lambdaContext = context;
    return runOnce;
  };

  return async (event, context) => {
    const idempotent = setUp(context);
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      let source: HeraldEvent | undefined;
      const receiveCount = Number(record.attributes.ApproximateReceiveCount || '1');
      try {
        source = parseEvent(parseJson(record.body));
        const token = randomUUID();
        const outcome = await idempotent({ key: `${source.id}#${definition.name}`, token, event: source });
        if (ran.delete(token)) {
          metrics.addMetric(MetricName.JobsProcessed, MetricUnit.Count, 1);
          await noteJobRun(source, {
            job: definition.name,
            state: 'completed',
            at: new Date().toISOString(),
            attempts: receiveCount,
            emitted: outcome.emitted,
          });
        } else {
          metrics.addMetric(MetricName.DuplicatesSkipped, MetricUnit.Count, 1);
          logger.info('duplicate job message skipped', { job: definition.name, eventId: source.id });
        }
      } catch (error) {
        metrics.addMetric(MetricName.JobsFailed, MetricUnit.Count, 1);
        const described = describeFailure(error);
        // Named for the job, with the stack: with source maps its frames point into the job's own file.
        const failure = {
          job: definition.name,
          messageId: record.messageId,
          receiveCount,
          ...(source !== undefined ? { eventId: source.id } : {}),
          ...describeError(error),
          errorClass: described.errorClass,
          ...(described.stack !== undefined ? { stack: described.stack } : {}),
        };
        const run = {
          job: definition.name,
          at: new Date().toISOString(),
          attempts: receiveCount,
          errorClass: described.errorClass,
          error: described.message,
        };
        const action = failureAction(error, receiveCount, config.jobMaxReceiveCount());
        if (action === 'retry') {
          logger.error('job record failed', failure);
          await noteJobRun(source, { ...run, state: 'failed' });
          throw error;
        }
        let sent: boolean;
        try {
          sent = await sendToJobDlq(
            record,
            definition.name,
            described,
            action === 'dead_letter_last_receive',
          );
        } catch (sendError) {
          // The DLQ is out of reach: leave the record to SQS, whose redrive policy still applies.
          logger.error('job record failed; sending it to the DLQ failed too', {
            ...failure,
            dlqError: describeError(sendError).error,
          });
          throw error;
        }
        if (!sent) {
          logger.info('job record already sent to the DLQ by another receive', failure);
          return;
        }
        metrics.addMetric(MetricName.JobsDeadLettered, MetricUnit.Count, 1);
        await noteJobRun(source, { ...run, state: 'dead_lettered' });
        logger.error(
          action === 'dead_letter_now'
            ? 'job record failed permanently; sent to the DLQ'
            : 'job record failed on its last receive; sent to the DLQ',
          failure,
        );
      }
    };
    try {
      return await processPartialResponse(event, recordHandler, processor, { context });
    } finally {
      ran.clear();
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

export type { EmittedEvent, JobContext, JobDefinition, JobOutput };
export { defineJob };
