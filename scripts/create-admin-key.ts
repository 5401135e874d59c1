/**
 * The documented way to get the first admin key: writes an admin APIKEY item straight into the main
 * table (default AWS credentials and endpoint, so AWS_ENDPOINT_URL_DYNAMODB points it at dynalite
 * locally) and prints the key once. Only the hash is stored; the key cannot be shown again.
 *
 *   npm run admin-key -- --table <main table name> [--name <label>]
 *   HERALD_TABLE=<name> npm run admin-key
 */
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAdminKey } from '../lambdas/shared/store/api-keys.js';

function argument(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(args: readonly string[]): Promise<void> {
  const table = argument(args, '--table') ?? process.env.HERALD_TABLE;
  if (table === undefined || table === '') {
    process.stderr.write(
      'usage: create-admin-key --table <main table name> [--name <label>] (or set HERALD_TABLE)\n',
    );
    process.exitCode = 2;
    return;
  }
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    const { id, key } = await createAdminKey(table, documents, argument(args, '--name'));
    process.stdout.write(`Admin key ${id} (shown once, store it now):\n${key}\n`);
  } finally {
    documents.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `create-admin-key failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
