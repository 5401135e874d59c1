/**
 * The published v1a test vectors (docs/test-vectors/standard-webhooks-v1a.json): the committed file is
 * what scripts/gen-v1a-vectors.ts writes, and every vector is checked by implementations other than
 * Herald's signer (node:crypto): @noble/ed25519 (pure JavaScript), and Python's `cryptography` running
 * the documented receiver snippet docs/receivers/verify_v1a.py. Also the TypeScript snippet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { publicKeyFromWhpk, verifyV1a } from '../../../docs/receivers/verify-v1a.js';
import { renderVectors, VECTORS_FILE } from '../../../scripts/gen-v1a-vectors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Key {
  readonly secretKey: string;
  readonly secretKeyWithPublic: string;
  readonly publicKey: string;
  readonly jwk: { readonly x: string; readonly kid: string };
}
interface Vector {
  readonly name: string;
  readonly key: string;
  readonly msgId: string;
  readonly timestamp: number;
  readonly payload: string;
  readonly payloadBytes?: number;
  readonly signature?: string;
  readonly webhookSignature?: string;
}
interface Vectors {
  readonly keys: Record<string, Key>;
  readonly valid: Vector[];
  readonly rotation: Omit<Vector, 'key'> & {
    readonly webhookSignature: string;
    readonly verifiesWith: string[];
  };
  readonly invalid: Vector[];
}

const vectors = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as Vectors;

function bytesOf(whpkOrWhsk: string): Uint8Array {
  return new Uint8Array(Buffer.from(whpkOrWhsk.slice(5), 'base64'));
}

/** A v1a verifier written against @noble/ed25519: signed content built here, not by Herald. */
async function nobleVerifies(publicKey: string, header: string, v: Omit<Vector, 'key'>): Promise<boolean> {
  const content = new TextEncoder().encode(`${v.msgId}.${v.timestamp}.${v.payload}`);
  for (const entry of header.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    if (version !== 'v1a' || encoded === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
    const signature = new Uint8Array(Buffer.from(encoded, 'base64'));
    if (signature.length !== 64) continue;
    if (await ed.verifyAsync(signature, content, bytesOf(publicKey))) return true;
  }
  return false;
}

/** A python3 that has `cryptography` (Debian's python3-cryptography; .ci/run installs it). */
function python(): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import cryptography'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('No python3 with the cryptography package: apt-get install -y python3-cryptography');
}

describe('v1a test vectors', () => {
  it('the committed file is what the generator writes', () => {
    expect(readFileSync(VECTORS_FILE, 'utf8')).toBe(renderVectors());
  });

  it('cover the cases the issue names', () => {
    const names = vectors.valid.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining(['empty-object', 'unicode-raw', 'large-integers', 'large-body-300KiB']),
    );
    expect(vectors.valid.find((v) => v.name === 'large-body-300KiB')!.payloadBytes).toBeGreaterThanOrEqual(
      300 * 1024,
    );
    expect(vectors.invalid.length).toBeGreaterThanOrEqual(5);
  });

  describe('@noble/ed25519', () => {
    it('derives each public key from its secret key, in both secret-key forms', async () => {
      for (const key of Object.values(vectors.keys)) {
        const seed = bytesOf(key.secretKey);
        expect(seed.length).toBe(32);
        expect(Buffer.from(await ed.getPublicKeyAsync(seed)).toString('base64')).toBe(key.publicKey.slice(5));
        expect(Buffer.from(bytesOf(key.secretKeyWithPublic).subarray(32)).toString('base64')).toBe(
          key.publicKey.slice(5),
        );
        expect(Buffer.from(key.jwk.x, 'base64url').toString('base64')).toBe(key.publicKey.slice(5));
      }
    });

    it('verifies every valid vector, and the rotation header under each key', async () => {
      for (const v of vectors.valid) {
        expect(await nobleVerifies(vectors.keys[v.key]!.publicKey, v.signature!, v), v.name).toBe(true);
      }
      for (const key of vectors.rotation.verifiesWith) {
        const r = vectors.rotation;
        expect(await nobleVerifies(vectors.keys[key]!.publicKey, r.webhookSignature, r), key).toBe(true);
      }
    });

    it('rejects every invalid vector', async () => {
      for (const v of vectors.invalid) {
        expect(await nobleVerifies(vectors.keys[v.key]!.publicKey, v.webhookSignature!, v), v.name).toBe(
          false,
        );
      }
    });
  });

  it("Python's cryptography, through docs/receivers/verify_v1a.py, agrees on every vector", () => {
    const out = execFileSync(
      python(),
      [
        path.join(root, 'test/support/check_v1a_vectors.py'),
        VECTORS_FILE,
        path.join(root, 'docs/receivers/verify_v1a.py'),
      ],
      { encoding: 'utf8' },
    );
    const results = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; kind: string; verified: boolean });
    const expected = [
      ...Object.keys(vectors.keys).map((name) => ({ name, kind: 'key', verified: true })),
      ...vectors.valid.map((v) => ({ name: v.name, kind: 'valid', verified: true })),
      ...vectors.rotation.verifiesWith.map((k) => ({
        name: `${vectors.rotation.name}/${k}`,
        kind: 'valid',
        verified: true,
      })),
      ...vectors.invalid.map((v) => ({ name: v.name, kind: 'invalid', verified: false })),
    ];
    expect(results).toEqual(expected);
  });

  it('the TypeScript receiver snippet (docs/receivers/verify-v1a.ts) agrees on every vector', () => {
    const headersOf = (v: Omit<Vector, 'key'>, signature: string) => ({
      'webhook-id': v.msgId,
      'webhook-timestamp': String(v.timestamp),
      'webhook-signature': signature,
    });
    const verifies = (key: string, v: Omit<Vector, 'key'>, signature: string) => {
      try {
        verifyV1a(
          [publicKeyFromWhpk(vectors.keys[key]!.publicKey)],
          headersOf(v, signature),
          v.payload,
          v.timestamp,
        );
        return true;
      } catch {
        return false;
      }
    };
    for (const v of vectors.valid) expect(verifies(v.key, v, v.signature!), v.name).toBe(true);
    for (const k of vectors.rotation.verifiesWith) {
      expect(verifies(k, vectors.rotation, vectors.rotation.webhookSignature), k).toBe(true);
    }
    for (const v of vectors.invalid) expect(verifies(v.key, v, v.webhookSignature!), v.name).toBe(false);
    // and its tolerance window: 301 s late is refused
    const v = vectors.valid[0]!;
    expect(() =>
      verifyV1a(
        [publicKeyFromWhpk(vectors.keys[v.key]!.publicKey)],
        headersOf(v, v.signature!),
        v.payload,
        v.timestamp + 301,
      ),
    ).toThrow(/tolerance/);
  });
});
