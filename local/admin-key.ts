// The local runtime's admin key, made by the same store function as `npm run admin-key`
// (lambdas/shared/store/api-keys.ts), with a client pointed at the local dynalite. With a data
// directory the key is kept there (mode 0600) and reused while its item is in the table, so restarts
// do not pile up admin keys that all stay valid.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { hashApiKey, hashesEqual, parseApiKeyId } from '../lambdas/shared/apikeys.js';
import { apiKeyItemKey, type CreatedKey, createAdminKey } from '../lambdas/shared/store/api-keys.js';

const KEY_FILE = 'admin-key';

export async function createLocalAdminKey(
  tableName: string,
  endpoint: string,
  region: string,
  dataDir?: string,
): Promise<CreatedKey> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  try {
    const path = dataDir === undefined ? undefined : join(dataDir, KEY_FILE);
    if (path !== undefined && existsSync(path)) {
      const key = readFileSync(path, 'utf8').trim();
      const id = parseApiKeyId(key);
      if (id !== undefined) {
        const { Item } = await documents.send(
          new GetCommand({ TableName: tableName, Key: apiKeyItemKey(id), ConsistentRead: true }),
        );
        if (typeof Item?.hash === 'string' && hashesEqual(hashApiKey(key), Item.hash)) return { id, key };
      }
    }
    const created = await createAdminKey(tableName, documents, 'local runtime admin');
    if (path !== undefined) writeFileSync(path, `${created.key}\n`, { mode: 0o600 });
    return created;
  } finally {
    documents.destroy();
  }
}
