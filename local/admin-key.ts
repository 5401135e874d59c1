// Creates the first admin key the documented way (scripts/create-admin-key.ts). If that module cannot
// be loaded, writes the APIKEY item itself, exactly as docs/internals.md specifies.
import { createHash, randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

interface CreatedKey {
  readonly id: string;
  readonly key: string;
}

type CreateAdminKey = (
  tableName: string,
  client?: DynamoDBDocumentClient,
  name?: string,
) => Promise<CreatedKey>;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `hrld_<16 [0-9a-z]>_<43 base64url>`, id `key_<the 16>`, stored as the hex SHA-256 of the whole key. */
async function writeKeyItem(
  tableName: string,
  client: DynamoDBDocumentClient,
  name: string,
): Promise<CreatedKey> {
  const idPart = [...randomBytes(16)].map((b) => ALPHABET[b % 36]).join('');
  const key = `hrld_${idPart}_${randomBytes(32).toString('base64url')}`;
  const id = `key_${idPart}`;
  const createdAt = new Date().toISOString();
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `APIKEY#${id}`,
        sk: 'APIKEY',
        gsi1pk: 'APIKEYS',
        gsi1sk: `${createdAt}#${id}`,
        id,
        name,
        role: 'admin',
        hash: createHash('sha256').update(key).digest('hex'),
        createdAt,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { id, key };
}

export async function createLocalAdminKey(
  tableName: string,
  endpoint: string,
  region: string,
): Promise<CreatedKey & { via: string }> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  try {
    let create: CreateAdminKey | undefined;
    try {
      create = ((await import('../scripts/create-admin-key.js')) as { createAdminKey?: CreateAdminKey })
        .createAdminKey;
    } catch {
      create = undefined; // not buildable yet (shared modules missing): fall back to the documented item
    }
    if (create !== undefined)
      return {
        ...(await create(tableName, documents, 'local runtime admin')),
        via: 'scripts/create-admin-key.ts',
      };
    return {
      ...(await writeKeyItem(tableName, documents, 'local runtime admin')),
      via: 'local/admin-key.ts',
    };
  } finally {
    documents.destroy();
  }
}
