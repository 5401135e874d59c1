// The local runtime's first admin key, made by the same store function as `npm run admin-key`
// (lambdas/shared/store/api-keys.ts), with a client pointed at the local dynalite.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type CreatedKey, createAdminKey } from '../lambdas/shared/store/api-keys.js';

export async function createLocalAdminKey(
  tableName: string,
  endpoint: string,
  region: string,
): Promise<CreatedKey> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  try {
    return await createAdminKey(tableName, documents, 'local runtime admin');
  } finally {
    documents.destroy();
  }
}
