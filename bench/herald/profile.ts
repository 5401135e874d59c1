/**
 * CPU profile of the main thread (node:inspector, in-process) while a run is going, summarised as self
 * time per component. The main thread hosts every emulator, so this names the component that saturates
 * it. Function worker threads are not profiled here (their time is their own cores' business).
 */

import { Session } from 'node:inspector/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly url: string; readonly functionName: string };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

interface ComponentShare {
  readonly component: string;
  /** Share of sampled main-thread time, percent. */
  readonly percent: number;
}

/** Which part of the system a frame belongs to, from its script URL. */
function componentOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8 / native (program)';
    return 'native';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) {
    if (pkg === 'fauxqs' || pkg === 'better-sqlite3') return 'fauxqs (SNS/SQS emulator)';
    if (
      [
        'dynalite',
        'level',
        'leveldown',
        'memdown',
        'levelup',
        'abstract-leveldown',
        'classic-level',
        'memory-level',
        'lazy',
        'big.js',
      ].includes(pkg) ||
      pkg.includes('level')
    )
      return 'dynalite (DynamoDB emulator)';
    if (pkg === 'aws-local-stepfunctions') return 'aws-local-stepfunctions';
    if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/')) return 'AWS SDK (pollers, SFN tasks)';
    if (pkg === 'tsx' || pkg === 'esbuild') return 'tsx loader';
    return `npm: ${pkg}`;
  }
  if (url.includes('/local/')) return 'local runtime (local/)';
  if (url.includes('/bench/')) return 'benchmark (publisher, receiver)';
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  return 'other';
}

/** Generic frames (native calls, node internals) whose time belongs to the component that called them. */
const isGeneric = (component: string): boolean =>
  component === 'native' || component === 'other' || component.startsWith('node: ');

/** Component per profile node, a generic frame inheriting its nearest specific ancestor's. */
function attribute(profile: CpuProfile): Map<number, string> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const resolve = (id: number): string => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id);
    const own = node === undefined ? 'other' : componentOf(node.callFrame.url, node.callFrame.functionName);
    const up = parent.get(id);
    let component = own;
    if (isGeneric(own) && up !== undefined) {
      const inherited = resolve(up);
      if (!isGeneric(inherited) && inherited !== '(root)') component = inherited;
    }
    memo.set(id, component);
    return component;
  };
  for (const n of profile.nodes) resolve(n.id);
  return memo;
}

function summariseProfile(profile: CpuProfile, top = 10): ComponentShare[] {
  const componentById = attribute(profile);
  const totals = new Map<string, number>();
  let all = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => {
    const component = componentById.get(id);
    if (component === undefined) return;
    const dt = deltas[i] ?? 0;
    totals.set(component, (totals.get(component) ?? 0) + dt);
    all += dt;
  });
  return [...totals]
    .map(([component, t]) => ({ component, percent: Math.round((t / Math.max(1, all)) * 1000) / 10 }))
    .sort((a, b) => b.percent - a.percent)
    .slice(0, top);
}

/** Profiles the main thread while `work` runs. */
async function profileMainThread<T>(
  work: () => Promise<T>,
): Promise<{ result: T; components: ComponentShare[] }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return { result, components: summariseProfile(profile) };
  } finally {
    session.disconnect();
  }
}

export type { ComponentShare, CpuProfile };
export { componentOf, profileMainThread, summariseProfile };
