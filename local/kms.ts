// Plays the template's KMS keys: Encrypt, Decrypt and GenerateDataKey over the KMS JSON protocol, so the
// functions' own SDK clients reach it through AWS_ENDPOINT_URL_KMS. Each key wraps with AES-256-GCM under
// a key derived from one master key per run (or per data dir); the encryption context is authenticated,
// as on AWS. Not a security boundary — it exists so that no plaintext secret sits in the local table.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One KMS key of the template: what `Ref` (key id) and `Fn::GetAtt Arn` resolve to locally. */
interface LocalKey {
  readonly logicalId: string;
  readonly keyId: string;
  readonly arn: string;
}

type Operation = 'Encrypt' | 'Decrypt' | 'GenerateDataKey';

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const MAGIC = Buffer.from('HLK1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stable, UUID-shaped key id for a logical id (so a data dir's ciphertexts survive a restart). */
function localKeyId(stackName: string, logicalId: string): string {
  const h = createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Encryption context as associated data: sorted, so key order does not matter (as on AWS). */
function contextBytes(context: unknown): Buffer {
  const entries = Object.entries((context ?? {}) as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : 1,
  );
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

class LocalKms {
  /** Calls served, by operation: what the cost model's KMS line counts. */
  readonly counts: Record<Operation, number> = { Encrypt: 0, Decrypt: 0, GenerateDataKey: 0 };
  private readonly keys: ReadonlyMap<string, LocalKey>;
  private server: Server | undefined;

  constructor(
    keys: readonly LocalKey[],
    private readonly masterKey: Buffer = randomBytes(32),
  ) {
    const byName = new Map<string, LocalKey>();
    for (const key of keys) {
      byName.set(key.keyId, key);
      byName.set(key.arn, key);
    }
    this.keys = byName;
  }

  private key(name: unknown): LocalKey {
    const key = typeof name === 'string' ? this.keys.get(name) : undefined;
    if (key === undefined)
      throw new KmsError('NotFoundException', `Key '${String(name)}' does not exist locally`);
    return key;
  }

  private wrappingKey(key: LocalKey): Buffer {
    return Buffer.from(hkdfSync('sha256', this.masterKey, 'herald-local-kms', key.keyId, 32));
  }

  /** KMS Encrypt: a blob naming the key, then IV, tag and ciphertext. */
  encrypt(keyName: unknown, plaintext: Buffer, context: unknown): { blob: Buffer; key: LocalKey } {
    const key = this.key(keyName);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.wrappingKey(key), iv);
    cipher.setAAD(contextBytes(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(key.keyId, 'utf8');
    return { blob: Buffer.concat([MAGIC, Buffer.from([id.length]), id, iv, cipher.getAuthTag(), body]), key };
  }

  decrypt(blob: Buffer, context: unknown, keyName?: unknown): { plaintext: Buffer; key: LocalKey } {
    if (blob.length < MAGIC.length + 1 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new KmsError('InvalidCiphertextException', 'Not a ciphertext of this key service');
    }
    const idLength = blob[MAGIC.length] ?? 0;
    let at = MAGIC.length + 1;
    const key = this.key(blob.subarray(at, at + idLength).toString('utf8'));
    if (keyName !== undefined && this.key(keyName).keyId !== key.keyId) {
      throw new KmsError('IncorrectKeyException', 'The ciphertext was made under another key');
    }
    at += idLength;
    const iv = blob.subarray(at, at + IV_BYTES);
    const tag = blob.subarray(at + IV_BYTES, at + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.wrappingKey(key), iv);
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(tag);
    try {
      const body = blob.subarray(at + IV_BYTES + TAG_BYTES);
      return { plaintext: Buffer.concat([decipher.update(body), decipher.final()]), key };
    } catch {
      throw new KmsError('InvalidCiphertextException', 'Ciphertext or encryption context does not match');
    }
  }

  private handle(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'GenerateDataKey': {
        const bytes =
          input.KeySpec === 'AES_128'
            ? 16
            : typeof input.NumberOfBytes === 'number'
              ? input.NumberOfBytes
              : 32;
        const plaintext = randomBytes(bytes);
        const { blob, key } = this.encrypt(input.KeyId, plaintext, input.EncryptionContext);
        this.counts.GenerateDataKey++;
        return {
          KeyId: key.arn,
          Plaintext: plaintext.toString('base64'),
          CiphertextBlob: blob.toString('base64'),
        };
      }
      case 'Encrypt': {
        const { blob, key } = this.encrypt(
          input.KeyId,
          Buffer.from(String(input.Plaintext ?? ''), 'base64'),
          input.EncryptionContext,
        );
        this.counts.Encrypt++;
        return { KeyId: key.arn, CiphertextBlob: blob.toString('base64') };
      }
      case 'Decrypt': {
        const { plaintext, key } = this.decrypt(
          Buffer.from(String(input.CiphertextBlob ?? ''), 'base64'),
          input.EncryptionContext,
          input.KeyId,
        );
        this.counts.Decrypt++;
        return { KeyId: key.arn, Plaintext: plaintext.toString('base64') };
      }
      default:
        throw new KmsError('UnsupportedOperationException', `${operation} is not played locally`);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
    let status = 200;
    let body: Record<string, unknown>;
    try {
      body = this.handle(
        operation,
        JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
      );
    } catch (error) {
      status = 400;
      const type = error instanceof KmsError ? error.type : 'ValidationException';
      body = { __type: type, message: error instanceof Error ? error.message : String(error) };
      res.setHeader('x-amzn-errortype', type);
    }
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  }

  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch(() => res.writeHead(500).end());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export type { LocalKey };
export { LocalKms, localKeyId };
