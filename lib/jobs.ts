import type { ItemAction } from './access.js';

/**
 * The background jobs, declared once each. Adding a job = one handler file in lambdas/jobs/ (built with
 * `defineJob`) + one entry here; the stack makes its subscription, queue, DLQ, function and alarms.
 */
interface JobDeclaration {
  /** Unique, part of the idempotency key: renaming a job makes old messages run again. */
  readonly name: string;
  /** Event types the job takes (exact types; SNS filters on the `type` attribute). */
  readonly eventTypes: readonly string[];
  /** Handler file relative to the project root. */
  readonly entry: string;
  /** @default 10 */
  readonly batchSize?: number;
  /** Concurrent invocations the event source may use (2–1000). @default 10 */
  readonly maxConcurrency?: number;
  /** @default 30 seconds */
  readonly timeoutSeconds?: number;
  /** @default 5 */
  readonly maxReceiveCount?: number;
  /**
   * Main-table operations the job's own code makes, beyond the runner's (GetItem of the event).
   * Least privilege: a job gets nothing it does not declare. @default []
   */
  readonly tableActions?: readonly ItemAction[];
  /**
   * The partition keys those operations touch (`dynamodb:LeadingKeys`, `*` as wildcard), e.g.
   * `INVOICE#*`. Required with `tableActions`: a job never writes anywhere in the table. @default []
   */
  readonly tableKeys?: readonly string[];
}

const jobs: readonly JobDeclaration[] = [
  {
    name: 'invoice',
    eventTypes: ['order.placed'],
    entry: 'lambdas/jobs/invoice.handler.ts',
    batchSize: 10,
    maxConcurrency: 10,
    tableActions: ['GetItem', 'PutItem'],
    tableKeys: ['INVOICE#*'],
  },
];

export type { JobDeclaration };
export { jobs };
