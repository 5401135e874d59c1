/**
 * CPU time by thread and by process, from the OS: /proc/<pid>/task/<tid>/stat (utime + stime, in clock
 * ticks) and /proc/<pid>/task/<tid>/comm (the thread's name). Event-loop utilisation is not used: on a
 * full 2-core machine it counts the time a thread waits to be scheduled as busy. Function worker threads
 * are named `fn:<logical id>` by the local runtime (local/lambda-pool.ts), so their CPU is attributed
 * per function; dynalite runs in its own process.
 */

import { readdirSync, readFileSync } from 'node:fs';

/** Linux USER_HZ: utime/stime are in 1/100 s on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

interface ThreadTicks {
  readonly name: string;
  readonly ticks: number;
}

interface CpuSnapshot {
  readonly at: number;
  /** `<process label>/<tid>` → ticks so far. */
  readonly threads: ReadonlyMap<string, ThreadTicks>;
}

interface CpuUsage {
  readonly wallSeconds: number;
  /** CPU seconds per wall second (2.0 = both cores of a 2-core machine), by process. */
  readonly byProcess: Readonly<Record<string, number>>;
  /** The same by thread group (threads of one name summed: `fn:WebhooksDispatch`, `MainThread`, ...). */
  readonly byThread: Readonly<Record<string, number>>;
  readonly total: number;
}

function readTicks(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the parenthesised name: state is field 3, utime 14, stime 15 (1-based).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function readThreads(pid: number | 'self'): Array<{ tid: string; name: string; ticks: number }> {
  const out: Array<{ tid: string; name: string; ticks: number }> = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.push({ tid, name, ticks: readTicks(`/proc/${pid}/task/${tid}/stat`) });
    } catch {
      // The thread ended between listing and reading: its time is gone with it (counted as 0 here).
    }
  }
  return out;
}

/** Ticks of every thread of the labelled processes. */
function cpuSnapshot(processes: Readonly<Record<string, number | 'self' | undefined>>): CpuSnapshot {
  const threads = new Map<string, ThreadTicks>();
  for (const [label, pid] of Object.entries(processes)) {
    if (pid === undefined) continue;
    for (const t of readThreads(pid)) threads.set(`${label}/${t.tid}`, { name: t.name, ticks: t.ticks });
  }
  return { at: Date.now(), threads };
}

/** Thread names folded into groups: function workers keep their name, V8/libuv helpers are pooled. */
function threadGroup(name: string): string {
  if (name.startsWith('fn:')) return name;
  if (name.startsWith('V8')) return 'V8 helper threads (GC, compiler)';
  if (name.startsWith('libuv')) return 'libuv thread pool';
  return name;
}

/**
 * Usage between two snapshots. A thread born after `before` counts from 0 (all its time is in the
 * window); one that ended before `after` is lost — the runtime keeps its workers, so that is rare.
 */
function cpuSince(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const wallSeconds = Math.max(0.001, (after.at - before.at) / 1000);
  const byProcess: Record<string, number> = {};
  const byThread: Record<string, number> = {};
  let total = 0;
  for (const [key, t] of after.threads) {
    const d = (t.ticks - (before.threads.get(key)?.ticks ?? 0)) / TICKS_PER_SECOND / wallSeconds;
    if (d <= 0) continue;
    const label = key.slice(0, key.indexOf('/'));
    byProcess[label] = (byProcess[label] ?? 0) + d;
    const group = `${label === 'runtime' ? '' : `${label}: `}${threadGroup(t.name)}`;
    byThread[group] = (byThread[group] ?? 0) + d;
    total += d;
  }
  const round = (r: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(r)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
    );
  return {
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    byProcess: round(byProcess),
    byThread: round(byThread),
    total: Math.round(total * 1000) / 1000,
  };
}

/** CPU seconds (user + system) of one process so far, all threads. */
function processCpuSeconds(pid: number | 'self'): number {
  return readThreads(pid).reduce((n, t) => n + t.ticks, 0) / TICKS_PER_SECOND;
}

/** CPU seconds of one thread group of this process so far (e.g. `fn:EventsApiAuthorizer`). */
function threadCpuSeconds(name: string): number {
  return (
    readThreads('self')
      .filter((t) => threadGroup(t.name) === name || t.name === name)
      .reduce((n, t) => n + t.ticks, 0) / TICKS_PER_SECOND
  );
}

export type { CpuSnapshot, CpuUsage };
export { cpuSince, cpuSnapshot, processCpuSeconds, TICKS_PER_SECOND, threadCpuSeconds, threadGroup };
