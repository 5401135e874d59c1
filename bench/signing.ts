/**
 * What a v1a (ed25519) signature costs beside a v1 (HMAC-SHA256) one (issue 23), in-process, written to
 * docs/benchmarks.md (section `signing-results`) by `npm run bench` or alone by `npm run bench:signing`.
 * CPU time (process.cpuUsage), not wall time, so neighbours on a shared machine do not count; median of
 * runs after a warm-up. Bodies of 1 KiB (typical), 64 KiB and 256 KiB (the publish limit).
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { generateWebhookSecret, signPayload } from '../lambdas/webhooks/signing.js';
import { generateSigningKeyPair, matchesV1a, signPayloadV1a } from '../lambdas/webhooks/signing-v1a.js';
import { updateGeneratedSection } from './lib/markers.js';

const ROOT = join(import.meta.dirname, '..');
const WARMUP_MS = 1_500;
const RUNS = 15;
const MIN_RUN_MS = 150;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Median CPU µs per call: calls are batched until a run takes MIN_RUN_MS of CPU. */
function perCallMicros(call: (i: number) => unknown): number {
  const warmEnd = cpuMicros() + WARMUP_MS * 1000;
  let i = 0;
  while (cpuMicros() < warmEnd) call(i++);
  let batch = 1;
  for (;;) {
    const t = cpuMicros();
    for (let j = 0; j < batch; j++) call(i++);
    if (cpuMicros() - t >= MIN_RUN_MS * 1000) break;
    batch *= 2;
  }
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = cpuMicros();
    for (let j = 0; j < batch; j++) call(i++);
    runs.push((cpuMicros() - t) / batch);
  }
  return median(runs);
}

function body(bytes: number): string {
  const filler = 'x'.repeat(Math.max(0, bytes - 40));
  return `{"id":"evt_1","type":"order.placed","data":"${filler}"}`.slice(0, bytes);
}

interface SigningRow {
  readonly what: string;
  readonly micros: number;
}

function runSigningBenchmark(): SigningRow[] {
  // A fresh secret per run, as Herald makes one per endpoint: no secret-shaped literal in the repo.
  const hmacSecret = generateWebhookSecret();
  const pair = generateSigningKeyPair();
  const rows: SigningRow[] = [];
  for (const size of [1024, 64 * 1024, 256 * 1024]) {
    const b = body(size);
    const label = size === 1024 ? '1 KiB' : `${size / 1024} KiB`;
    rows.push({
      what: `v1 (HMAC-SHA256) signature, ${label} body`,
      micros: perCallMicros((i) => signPayload(hmacSecret, 'evt_1', i, b)),
    });
    rows.push({
      what: `**v1a (ed25519) signature, ${label} body**`,
      micros: perCallMicros((i) => signPayloadV1a(pair.secretKey, 'evt_1', i, b)),
    });
  }
  const small = body(1024);
  const header = signPayloadV1a(pair.secretKey, 'evt_1', 1_700_000_000, small);
  rows.push({
    what: 'v1a verification by a receiver (node:crypto), 1 KiB body',
    micros: perCallMicros(() => matchesV1a([pair.publicKey], header, 'evt_1', 1_700_000_000, small)),
  });
  // A key's first use in a container parses it (PKCS#8 → KeyObject); later signatures reuse it.
  rows.push({
    what: 'v1a signature with a key not parsed yet (first use per container), 1 KiB body',
    micros: perCallMicros((i) =>
      signPayloadV1a(`whsk_${randomBytes(32).toString('base64')}`, 'evt_1', i, small),
    ),
  });
  rows.push({
    what: 'generating a key pair (create, rotate)',
    micros: perCallMicros(() => generateSigningKeyPair()),
  });
  return rows;
}

function renderSection(rows: readonly SigningRow[]): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'CPU'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`;
  const date = new Date().toISOString().slice(0, 10);
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  return [
    `Measured ${date} on ${machine} (\`npm run bench:signing\`; CPU time per call, median of ${RUNS} runs after ${WARMUP_MS / 1000} s of warm-up).`,
    '',
    '| what | CPU µs per call |',
    '|---|---:|',
    ...rows.map((r) => `| ${r.what} | ${fmt(r.micros)} |`),
    '',
    'Ed25519 hashes the message twice (SHA-512), so a v1a signature grows with the body like the HMAC does, plus a fixed',
    'cost of the curve operations; the table above is the whole price of `signatureScheme: "v1a"` per delivery attempt',
    '(two signatures during a rotation). The secret key is opened with the endpoint (AES-GCM, data key cached per container).',
  ].join('\n');
}

function runSigningBench(): void {
  const section = renderSection(runSigningBenchmark());
  console.log(section);
  updateGeneratedSection(join(ROOT, 'docs', 'benchmarks.md'), 'signing-results', section);
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) runSigningBench();

export { runSigningBench };
