/**
 * `npm run gen:v1a-vectors`: writes docs/test-vectors/standard-webhooks-v1a.json — fixed keys, ids,
 * timestamps and bodies with their Standard Webhooks v1a (ed25519) signatures, plus headers that must
 * NOT verify. Deterministic (RFC 8032 signatures are), so test/unit/webhooks/v1a-vectors.test.ts fails
 * when the committed file is not what this script writes, and verifies every vector with
 * implementations other than Herald's signer (@noble/ed25519, Python's cryptography).
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicJwk, signingKeyPairOf, signPayloadV1a } from '../lambdas/webhooks/signing-v1a.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VECTORS_FILE = path.join(root, 'docs/test-vectors/standard-webhooks-v1a.json');

/** Fixed seeds: RFC 8032 §7.1 TEST 1, and one derived from a fixed label (nothing secret here). */
const SEEDS: Readonly<Record<string, Buffer>> = {
  'rfc8032-test1': Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
  'fixed-2': createHash('sha256').update('standard-webhooks v1a test vector key 2').digest(),
};

/** ≥ 300 KiB of JSON with ASCII and multi-byte characters, built the same way every time. */
function largeBody(): string {
  const items: string[] = [];
  let size = '{"items":[]}'.length;
  for (let i = 0; size < 300 * 1024; i += 1) {
    const item = `{"n":${i},"sku":"SKU-${String(i).padStart(6, '0')}","label":"Größe ${i % 7} — 品目 ${i % 13}"}`;
    items.push(item);
    size += Buffer.byteLength(item, 'utf8') + 1;
  }
  return `{"items":[${items.join(',')}]}`;
}

interface Case {
  readonly name: string;
  readonly note: string;
  readonly key: string;
  readonly msgId: string;
  readonly timestamp: number;
  readonly payload: string;
}

const CASES: readonly Case[] = [
  {
    name: 'spec-example',
    note: "The spec's example id and timestamp with a minified JSON body.",
    key: 'rfc8032-test1',
    msgId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    timestamp: 1674087231,
    payload:
      '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}',
  },
  {
    name: 'empty-object',
    note: 'The body `{}`.',
    key: 'rfc8032-test1',
    msgId: 'msg_empty',
    timestamp: 1700000000,
    payload: '{}',
  },
  {
    name: 'unicode-raw',
    note: 'Multi-byte UTF-8 written as is (2-, 3- and 4-byte sequences, a combining mark, RTL text).',
    key: 'fixed-2',
    msgId: 'msg_unicode',
    timestamp: 1700000001,
    payload: '{"name":"Zoë","city":"東京","emoji":"🦊","rtl":"שלום","combining":"é"}',
  },
  {
    name: 'unicode-escaped',
    note: 'The same characters as \\u escapes: other bytes, so another signature. Sign the bytes sent.',
    key: 'fixed-2',
    msgId: 'msg_unicode',
    timestamp: 1700000001,
    payload:
      '{"name":"Zo\\u00eb","city":"\\u6771\\u4eac","emoji":"\\ud83e\\udd8a","rtl":"\\u05e9\\u05dc\\u05d5\\u05dd","combining":"e\\u0301"}',
  },
  {
    name: 'large-integers',
    note: 'Integers beyond 2^53 and 2^64: a verifier must not parse and re-serialize the body.',
    key: 'rfc8032-test1',
    msgId: 'msg_bigint',
    timestamp: 1700000002,
    payload:
      '{"i64":9223372036854775807,"u64":18446744073709551615,"big":123456789012345678901234567890,"neg":-9007199254740993,"float":1.0e+400}',
  },
  {
    name: 'whitespace-and-newlines',
    note: 'Pretty-printed JSON with a trailing newline: whitespace is part of the signed bytes.',
    key: 'fixed-2',
    msgId: 'msg_pretty',
    timestamp: 1700000003,
    payload: '{\n  "type": "order.placed",\n  "data": { "total": 42 }\n}\n',
  },
  {
    name: 'large-body-300KiB',
    note: 'A body over 300 KiB: beyond the 4,096-byte message limit of KMS pure-Ed25519 signing.',
    key: 'rfc8032-test1',
    msgId: 'msg_large',
    timestamp: 1700000004,
    payload: largeBody(),
  },
  {
    name: 'far-timestamp',
    note: 'A timestamp in 2100 (10 digits still); vectors ignore the tolerance window.',
    key: 'fixed-2',
    msgId: 'evt_01JH3Q7N8S2V4X6Z8B0D2F4H6K',
    timestamp: 4102444800,
    payload: '{"id":"evt_01JH3Q7N8S2V4X6Z8B0D2F4H6K","type":"invoice.paid","data":{}}',
  },
];

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function keyOf(name: string): ReturnType<typeof signingKeyPairOf> {
  const seed = SEEDS[name];
  if (seed === undefined) throw new Error(`no key ${name}`);
  return signingKeyPairOf(`whsk_${seed.toString('base64')}`);
}

/** Pure ed25519 over SHA-256 of the content (a KMS-style pre-hash, issue #290): not v1a. */
function prehashedSignature(name: string, content: string): string {
  const seed = SEEDS[name]!;
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const digest = createHash('sha256').update(content, 'utf8').digest();
  return `v1a,${sign(null, digest, key).toString('base64')}`;
}

function renderVectors(): string {
  const keys = Object.fromEntries(
    Object.entries(SEEDS).map(([name, seed]) => {
      const pair = keyOf(name);
      const full = Buffer.concat([seed, Buffer.from(pair.publicKey.slice('whpk_'.length), 'base64')]);
      return [
        name,
        {
          secretKey: pair.secretKey,
          secretKeyWithPublic: `whsk_${full.toString('base64')}`,
          publicKey: pair.publicKey,
          jwk: publicJwk(pair.publicKey),
        },
      ];
    }),
  );
  const valid = CASES.map((c) => {
    const signature = signPayloadV1a(keyOf(c.key).secretKey, c.msgId, c.timestamp, c.payload);
    return {
      name: c.name,
      note: c.note,
      key: c.key,
      msgId: c.msgId,
      timestamp: c.timestamp,
      payloadBytes: Buffer.byteLength(c.payload, 'utf8'),
      payloadSha256: sha256Hex(c.payload),
      signature,
      payload: c.payload,
    };
  });
  const base = valid[0]!;
  const other = signPayloadV1a(keyOf('fixed-2').secretKey, base.msgId, base.timestamp, base.payload);
  const sigOnly = base.signature.slice('v1a,'.length);
  const rotation = {
    name: 'rotation-two-keys-and-v1',
    note: 'A header during rotation and migration: a v1 (HMAC) entry, then a v1a signature by each key.',
    msgId: base.msgId,
    timestamp: base.timestamp,
    payload: base.payload,
    webhookSignature: `v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= ${other} ${base.signature}`,
    verifiesWith: ['rfc8032-test1', 'fixed-2'],
  };
  const invalid = [
    [
      'tampered-payload',
      'One byte of the body changed.',
      base.signature,
      base.payload.replace('contact', 'cuntact'),
      base.msgId,
      base.timestamp,
    ],
    [
      'other-msg-id',
      'Signed for another webhook-id.',
      base.signature,
      base.payload,
      'msg_other',
      base.timestamp,
    ],
    [
      'other-timestamp',
      'Signed for another webhook-timestamp.',
      base.signature,
      base.payload,
      base.msgId,
      base.timestamp + 1,
    ],
    [
      'other-key',
      'Signed by fixed-2, checked against rfc8032-test1 only.',
      other,
      base.payload,
      base.msgId,
      base.timestamp,
    ],
    [
      'v1-label',
      'The right signature labelled v1: a v1a verifier ignores v1 entries.',
      `v1,${sigOnly}`,
      base.payload,
      base.msgId,
      base.timestamp,
    ],
    [
      'url-safe-base64',
      'The right signature in url-safe base64: the spec uses standard base64.',
      `v1a,${sigOnly.replace(/\+/g, '-').replace(/\//g, '_')}`,
      base.payload,
      base.msgId,
      base.timestamp,
    ],
    [
      'truncated',
      'The right signature missing its last 4 characters.',
      base.signature.slice(0, -4),
      base.payload,
      base.msgId,
      base.timestamp,
    ],
    [
      'prehashed-sha256',
      'Pure ed25519 over SHA-256 of the content (a KMS-style pre-hash): not v1a.',
      prehashedSignature('rfc8032-test1', `${base.msgId}.${base.timestamp}.${base.payload}`),
      base.payload,
      base.msgId,
      base.timestamp,
    ],
  ].map(([name, note, webhookSignature, payload, msgId, timestamp]) => ({
    name,
    note,
    key: 'rfc8032-test1',
    msgId,
    timestamp,
    webhookSignature,
    payload,
  }));
  const document = {
    title: 'Standard Webhooks v1a (ed25519) signature test vectors',
    generatedBy: 'scripts/gen-v1a-vectors.ts in Herald; deterministic (RFC 8032), regenerate to check',
    scheme: {
      signatureIdentifier: 'v1a',
      algorithm: 'Ed25519 (RFC 8032, pure, no pre-hash, no context)',
      signedContent: '<msgId>.<timestamp>.<payload>, as UTF-8 bytes; timestamp in decimal seconds',
      signatureEncoding: 'v1a,<standard base64 with padding of the 64-byte signature>',
      secretKey: 'whsk_ + standard base64 of the 32-byte RFC 8032 secret key (seed)',
      secretKeyWithPublic: 'whsk_ + standard base64 of seed||public key (64 bytes), the form Svix uses',
      publicKey: 'whpk_ + standard base64 of the 32-byte public key',
      jwk: 'RFC 8037 OKP/Ed25519 JWK; kid is the RFC 7638 thumbprint',
      timestamps: 'fixed: a verifier run over these vectors must skip its tolerance window',
    },
    keys,
    valid,
    rotation,
    invalid,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  writeFileSync(VECTORS_FILE, renderVectors());
  console.log(`wrote ${path.relative(root, VECTORS_FILE)}`);
}

export { renderVectors, VECTORS_FILE };
