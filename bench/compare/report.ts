/** Turns compare results into the Markdown tables written into docs/compare.md. */

import type { CrashResult, LatencyResult, PoisonResult, ThroughputResult } from './scenarios.js';

interface BrokerResult {
  readonly broker: string;
  readonly note: string;
  readonly throughput?: ThroughputResult;
  readonly latency?: LatencyResult;
  readonly crash?: CrashResult;
  readonly poison?: PoisonResult;
  readonly errors: readonly string[];
}

interface CompareRun {
  readonly date: string;
  readonly machine: string;
  readonly settings: Record<string, number>;
  readonly results: readonly BrokerResult[];
}

const fmt = (v: number | undefined, unit = ''): string =>
  v === undefined || Number.isNaN(v) ? '—' : `${v.toLocaleString('en-US')}${unit}`;

function renderCompare(run: CompareRun): string {
  const s = run.settings;
  const lines: string[] = [
    `Measured ${run.date} on ${run.machine}; all brokers on 127.0.0.1, client and broker sharing the CPUs.`,
    `Throughput: ${fmt(s.count)} messages published while one consumer runs; latency: open-loop ${fmt(s.offeredPerSecond)} msg/s for ${fmt(s.latencySeconds)} s.`,
    `Crash: the consumer records the effect, then dies without acking (redelivery delay ${fmt(s.crashRedeliveryMs)} ms). Poison: max ${fmt(s.maxDeliveries)} deliveries.`,
    '',
    '| broker | msg/s | p50 / p95 / p99 ms at offered rate | in order | dups | crash: redelivered after | crash: broker count, effects | poison: deliveries → DLQ after | good msg blocked? |',
    '|---|---:|---|---:|---:|---|---|---|---|',
  ];
  for (const r of run.results) {
    const t = r.throughput;
    const l = r.latency?.latencyMs;
    const c = r.crash;
    const p = r.poison;
    lines.push(
      [
        '',
        r.broker + (r.errors.length > 0 ? ' ⚠' : ''),
        t ? `${fmt(t.perSecond)}${t.completed ? '' : ' (incomplete)'}` : '—',
        l ? `${fmt(l.p50)} / ${fmt(l.p95)} / ${fmt(l.p99)}` : '—',
        t ? `${Math.round(t.inOrder * 100)}%` : '—',
        t ? fmt(t.duplicates) : '—',
        c ? fmt(c.redeliveredAfterMs, ' ms') : '—',
        c ? `${fmt(c.brokerDeliveryCount)}, ${c.effects} effect / ${c.duplicatesSkipped} skipped` : '—',
        p
          ? `${p.poisonDeliveries} → ${p.inDeadLetterQueue ? fmt(p.deadLetteredAfterMs, ' ms') : 'never'}`
          : '—',
        p ? (p.goodMessageNotBlocked ? 'no' : 'yes') : '—',
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  lines.push('');
  for (const r of run.results) {
    lines.push(`- **${r.broker}**: ${r.note}.`);
    for (const e of r.errors) lines.push(`  - ⚠ ${e}`);
  }
  return lines.join('\n');
}

export type { BrokerResult, CompareRun };
export { renderCompare };
