/**
 * The current sealing data key of signing secrets (docs/internals.md "Signing secrets"): one item,
 * `SECRETSKEY` / `CURRENT`, holding the KMS-wrapped data key every management container seals with
 * until it is 30 days old. Sharing it keeps the number of distinct wrapped keys — and so the KMS
 * `Decrypt` calls of a cold dispatcher — at about one per month instead of one per management container.
 * Only the wrapped key is stored; its plaintext never leaves the container's memory.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { compositeKey, isConditionFailure } from '../shared/store/table.js';

interface CurrentDataKey {
  /** The KMS ciphertext of the data key, base64. */
  readonly encrypted: string;
  readonly createdAt: string;
}

/** Where the current data key lives: the table, or (tests, the cost measurement) memory. */
interface CurrentDataKeyStore {
  read(): Promise<CurrentDataKey | undefined>;
  /** Writes `next` if the current key is still `expected` (undefined: none yet); false when another won. */
  replace(next: CurrentDataKey, expected: string | undefined): Promise<boolean>;
}

const KEY = { pk: compositeKey('SECRETSKEY'), sk: 'CURRENT' };

const tableDataKeyStore: CurrentDataKeyStore = {
  async read() {
    const result = await documentClient().send(
      new GetCommand({ TableName: config.table(), Key: KEY, ConsistentRead: true }),
    );
    const item = result.Item;
    return typeof item?.dataKey === 'string' && typeof item.createdAt === 'string'
      ? { encrypted: item.dataKey, createdAt: item.createdAt }
      : undefined;
  },
  async replace(next, expected) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: config.table(),
          Item: { ...KEY, dataKey: next.encrypted, createdAt: next.createdAt },
          ConditionExpression: expected === undefined ? 'attribute_not_exists(pk)' : 'dataKey = :expected',
          ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
};

/** An in-memory store (one "table" shared by the simulated containers of a test or measurement). */
function memoryDataKeyStore(): CurrentDataKeyStore {
  let current: CurrentDataKey | undefined;
  return {
    read: async () => current,
    replace: async (next, expected) => {
      if (current?.encrypted !== expected) return false;
      current = next;
      return true;
    },
  };
}

export type { CurrentDataKey, CurrentDataKeyStore };
export { memoryDataKeyStore, tableDataKeyStore };
