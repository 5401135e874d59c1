/**
 * Work-arounds for fauxqs bugs that Herald's local runtime hits, applied once before fauxqs starts.
 *
 * fauxqs 2.4.1 with `dataDir` (npm start -- --data DIR): making an in-flight message visible again
 * (ChangeMessageVisibility with timeout 0, what `dlq peek` does after reading) writes NULL into the
 * NOT NULL column sqs_messages.approximate_receive_count. The write throws after the message has left
 * the in-flight map and before it rejoins the visible list, so the call answers 500 and the message
 * sits in neither until a restart (docs/local-runtime.md, "Known gaps"). The fix keeps the counters
 * and clears only the in-flight columns; the in-memory message keeps its own counts.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface PersistenceLike {
  readonly db: { prepare(sql: string): { run(...values: unknown[]): unknown } };
  updateMessageReady(messageId: string): void;
}

interface PersistenceModule {
  readonly PersistenceManager: { prototype: PersistenceLike };
}

const FIXED = Symbol.for('herald.fauxqs.updateMessageReady');

/** fauxqs' package exports only its entry; its persistence module sits beside it in dist/. */
async function persistenceModule(): Promise<PersistenceModule> {
  const require = createRequire(import.meta.url);
  const file = (require.resolve.paths('fauxqs') ?? [])
    .map((dir) => join(dir, 'fauxqs', 'dist', 'persistence.js'))
    .find((path) => existsSync(path));
  if (file === undefined) throw new Error('fauxqs/dist/persistence.js not found beside the fauxqs package');
  return (await import(pathToFileURL(file).href)) as PersistenceModule;
}

/** Replaces updateMessageReady with a statement that leaves the receive count alone. Idempotent. */
async function applyFauxqsFixes(): Promise<void> {
  const { PersistenceManager } = await persistenceModule();
  const proto = PersistenceManager.prototype as PersistenceLike & { [FIXED]?: true };
  if (proto[FIXED] === true) return;
  const statements = new WeakMap<object, { run(...values: unknown[]): unknown }>();
  proto.updateMessageReady = function updateMessageReady(this: PersistenceLike, messageId: string) {
    let statement = statements.get(this.db);
    if (statement === undefined) {
      statement = this.db.prepare(
        'UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?',
      );
      statements.set(this.db, statement);
    }
    statement.run(messageId);
  };
  proto[FIXED] = true;
}

export { applyFauxqsFixes };
