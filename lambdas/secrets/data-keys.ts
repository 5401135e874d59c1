/**
 * Envelope encryption of endpoint signing secrets (adrs/0006-envelope-encrypted-signing-secrets.md): a 256-bit data key from
 * KMS `GenerateDataKey` under the secrets key (HERALD_SECRETS_KEY_ID) seals secrets with AES-256-GCM
 * (secret-box.ts); the KMS-encrypted data key is stored beside each ciphertext. Per container:
 * - sealing uses the table's current data key (store/data-keys.ts: one Decrypt per container), or
 *   generates it when there is none or it is 30 days old (one GenerateDataKey per month, not per container);
 * - opening calls KMS `Decrypt` once per distinct encrypted data key, then answers from memory.
 * So a warm dispatcher signs without any KMS call. The encryption context names the purpose, so the
 * key's grants can be limited to it and a data key made for something else does not decrypt here.
 */
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { kmsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { TransientError } from '../shared/errors.js';
import { type CurrentDataKeyStore, tableDataKeyStore } from './data-key-store.js';
import { SecretBoxError } from './secret-box.js';

const ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = { 'herald:purpose': 'endpoint-signing-secret' };
/** A current data key older than this is replaced (new secrets get a new key; old ones keep theirs). */
const DATA_KEY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** Distinct data keys kept open per container (one per management container that ever sealed). */
const MAX_OPEN_KEYS = 256;

interface DataKey {
  readonly plaintext: Buffer;
  /** The KMS ciphertext of the data key, base64: stored with every secret it seals. */
  readonly encrypted: string;
}

let sealing: Promise<DataKey> | undefined;
const opened = new Map<string, Promise<Buffer>>();

/** KMS refusing a ciphertext is permanent; anything else (throttle, network) may pass on retry. */
function kmsFailure(error: unknown, what: string): Error {
  const name = error instanceof Error ? error.name : '';
  if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') {
    return new SecretBoxError(`KMS refused to ${what}: ${name}`, { cause: error });
  }
  return new TransientError(`KMS could not ${what}; retry`, { cause: error });
}

function remember(encrypted: string, key: Promise<Buffer>): void {
  if (opened.size >= MAX_OPEN_KEYS) {
    const oldest = opened.keys().next().value;
    if (oldest !== undefined) opened.delete(oldest);
  }
  opened.set(encrypted, key);
}

async function generate(): Promise<DataKey> {
  try {
    const result = await kmsClient().send(
      new GenerateDataKeyCommand({
        KeyId: config.secretsKeyId(),
        KeySpec: 'AES_256',
        EncryptionContext: { ...ENCRYPTION_CONTEXT },
      }),
    );
    if (result.Plaintext === undefined || result.CiphertextBlob === undefined) {
      throw new Error('GenerateDataKey answered without a key');
    }
    const key = {
      plaintext: Buffer.from(result.Plaintext),
      encrypted: Buffer.from(result.CiphertextBlob).toString('base64'),
    };
    remember(key.encrypted, Promise.resolve(key.plaintext));
    return key;
  } catch (error) {
    throw kmsFailure(error, 'generate a data key');
  }
}

/** The current data key, generated and published when there is none or it is too old. */
async function establish(store: CurrentDataKeyStore, now: number): Promise<DataKey> {
  const current = await store.read();
  if (current !== undefined && now - Date.parse(current.createdAt) < DATA_KEY_MAX_AGE_MS) {
    return { plaintext: await openDataKey(current.encrypted), encrypted: current.encrypted };
  }
  const fresh = await generate();
  if (
    await store.replace(
      { encrypted: fresh.encrypted, createdAt: new Date(now).toISOString() },
      current?.encrypted,
    )
  ) {
    return fresh;
  }
  // Another container published one meanwhile: seal with that one, so the table keeps a single current key.
  const winner = await store.read();
  return winner === undefined
    ? fresh
    : { plaintext: await openDataKey(winner.encrypted), encrypted: winner.encrypted };
}

/** The data key this container seals with, settled once per container. */
function sealingKey(
  store: CurrentDataKeyStore = tableDataKeyStore,
  now: number = Date.now(),
): Promise<DataKey> {
  sealing ??= establish(store, now).catch((error: unknown) => {
    sealing = undefined; // the next call tries again
    throw error;
  });
  return sealing;
}

/** The plaintext of a stored data key (one Decrypt per distinct key per container). */
function openDataKey(encrypted: string): Promise<Buffer> {
  const cached = opened.get(encrypted);
  if (cached !== undefined) return cached;
  const key = kmsClient()
    .send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(encrypted, 'base64'),
        KeyId: config.secretsKeyId(),
        EncryptionContext: { ...ENCRYPTION_CONTEXT },
      }),
    )
    .then((result) => {
      if (result.Plaintext === undefined) throw new Error('Decrypt answered without a plaintext');
      return Buffer.from(result.Plaintext);
    })
    .catch((error: unknown) => {
      opened.delete(encrypted);
      throw kmsFailure(error, 'decrypt a data key');
    });
  remember(encrypted, key);
  return key;
}

/** Forgets every cached key, as a new container would start (tests and the cost measurement). */
function resetDataKeyCache(): void {
  sealing = undefined;
  opened.clear();
}

export type { DataKey };
export { DATA_KEY_MAX_AGE_MS, openDataKey, resetDataKeyCache, sealingKey };
