// The names a person reads for the local resources: the ones the API and the CLI use (`job-invoice`,
// `dispatch-dlq`, `webhook-dlq`), not CDK logical ids (`JobinvoiceWorkDlqD8ADE56A`). Queue names come
// from what the management function is told (HERALD_QUEUES, HERALD_WEBHOOK_DLQ_URL), so the names here
// are the API's by construction; anything else is named after its construct path.
import { WEBHOOK_DLQ_NAME } from '../lambdas/api/dlq-queues.js';
import type { QueueDescriptor } from '../lambdas/shared/config.js';

export interface NamedResource {
  readonly logicalId: string;
  /** `aws:cdk:path` metadata (`Herald/Job-invoice/Work/Queue/Resource`), when the template has it. */
  readonly path?: string;
}

/** `Job-invoice` → `job-invoice`, `DispatchQueue` → `dispatch-queue`, `WebhookDlq` → `webhook-dlq`. */
export function kebab(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

/** Construct ids that say what kind of thing, not which one: a name never ends with one alone. */
const GENERIC = new Set(['Queue', 'Dlq', 'Handler', 'Function', 'Table', 'Topic']);

/** The construct path below the stack, without CDK's trailing `Resource` / `Default`. */
function segments(resource: NamedResource): string[] {
  const parts = (resource.path ?? resource.logicalId.replace(/[0-9A-F]{8}$/, '')).split('/');
  if (resource.path !== undefined) parts.shift(); // the stack
  while (parts.length > 1 && /^(Resource|Default)$/.test(parts[parts.length - 1] ?? '')) parts.pop();
  return parts;
}

/**
 * Names from construct paths: the innermost construct id, kebab-cased (`Ingest` → `ingest`); where two
 * resources would share a name, both take their parents' ids too (`webhooks-dispatch-queue`).
 */
export function pathNames(resources: readonly NamedResource[]): Map<string, string> {
  const depth = new Map(resources.map((r) => [r.logicalId, GENERIC.has(segments(r).at(-1) ?? '') ? 2 : 1]));
  const nameOf = (r: NamedResource) => {
    const parts = segments(r);
    return kebab(parts.slice(-(depth.get(r.logicalId) ?? 1)).join('-'));
  };
  for (let round = 0; round < 8; round++) {
    const byName = new Map<string, NamedResource[]>();
    for (const r of resources) byName.set(nameOf(r), [...(byName.get(nameOf(r)) ?? []), r]);
    const clashes = [...byName.values()].filter((group) => group.length > 1).flat();
    if (clashes.length === 0) break;
    for (const r of clashes) depth.set(r.logicalId, (depth.get(r.logicalId) ?? 1) + 1);
  }
  return new Map(resources.map((r) => [r.logicalId, nameOf(r)]));
}

/** Queue logical id → the name `/v1/dlq` and `herald dlq` use; construct-path names for the rest. */
export function queueNames(
  queues: ReadonlyArray<NamedResource & { readonly url: string }>,
  environments: ReadonlyArray<Readonly<Record<string, string>>>,
): Map<string, string> {
  const byUrl = new Map<string, string>();
  for (const env of environments) {
    if (env.HERALD_WEBHOOK_DLQ_URL) byUrl.set(env.HERALD_WEBHOOK_DLQ_URL, WEBHOOK_DLQ_NAME);
    if (!env.HERALD_QUEUES) continue;
    let listed: QueueDescriptor[];
    try {
      listed = JSON.parse(env.HERALD_QUEUES) as QueueDescriptor[];
    } catch {
      continue; // the management function reports a malformed list itself
    }
    for (const q of listed) {
      byUrl.set(q.url, q.name);
      byUrl.set(q.dlqUrl, q.dlqName);
    }
  }
  const fallback = pathNames(queues.filter((q) => !byUrl.has(q.url)));
  return new Map(
    queues.map((q) => [q.logicalId, byUrl.get(q.url) ?? fallback.get(q.logicalId) ?? q.logicalId]),
  );
}

/** Function logical id → `job-<name>` for a job (HERALD_JOB_NAME), else its construct id (`ingest`). */
export function functionNames(
  functions: ReadonlyArray<NamedResource & { readonly environment: Readonly<Record<string, string>> }>,
): Map<string, string> {
  const jobs = new Map(
    functions.flatMap((f) =>
      f.environment.HERALD_JOB_NAME ? [[f.logicalId, `job-${f.environment.HERALD_JOB_NAME}`] as const] : [],
    ),
  );
  const fallback = pathNames(functions.filter((f) => !jobs.has(f.logicalId)));
  return new Map(
    functions.map((f) => [f.logicalId, jobs.get(f.logicalId) ?? fallback.get(f.logicalId) ?? f.logicalId]),
  );
}
