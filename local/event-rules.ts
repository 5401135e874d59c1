// Plays the template's EventBridge rules for the events the local runtime itself emits (today: Step
// Functions "Execution Status Change"): each rule's EventPattern is matched against the event and the
// event goes to the rule's SQS or Lambda targets, as EventBridge would deliver it (the whole event as
// the message body or payload; Input/InputPath/InputTransformer are not played and say so).

/** One rule with its targets resolved to local queues and functions. */
export interface LocalEventRule {
  readonly logicalId: string;
  readonly pattern: unknown;
  readonly targets: ReadonlyArray<
    | { readonly kind: 'sqs'; readonly queueUrl: string }
    | { readonly kind: 'lambda'; readonly functionArn: string }
  >;
}

/** An event as EventBridge delivers it to a target. */
export interface LocalEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

export interface EventTargets {
  sendMessage(queueUrl: string, body: string): Promise<void>;
  invokeFunction(functionArn: string, event: unknown): Promise<unknown>;
}

/** A value against a pattern node: a list is any-of, an object matches field by field. */
function matchesValue(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    // A list is any-of; an event array matches when any of its elements does.
    const values = Array.isArray(value) ? value : [value];
    return pattern.some((p) =>
      values.some((v) => {
        if (p !== null && typeof p === 'object') return matchesOperator(p as Record<string, unknown>, v);
        return p === v;
      }),
    );
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(pattern as Record<string, unknown>).every(([key, p]) =>
      matchesValue(p, (value as Record<string, unknown>)[key]),
    );
  }
  return pattern === value;
}

/** The content-filter operators Herald's rules could use; any other makes the rule match nothing. */
function matchesOperator(op: Record<string, unknown>, value: unknown): boolean {
  if ('prefix' in op) return typeof value === 'string' && value.startsWith(String(op.prefix));
  if ('anything-but' in op) {
    const excluded = Array.isArray(op['anything-but']) ? op['anything-but'] : [op['anything-but']];
    return value !== undefined && !excluded.includes(value);
  }
  if ('exists' in op) return (value !== undefined) === op.exists;
  return false;
}

/** Whether an EventBridge event pattern matches the event (the subset of the pattern syntax above). */
export function matchesPattern(pattern: unknown, event: LocalEvent): boolean {
  return matchesValue(pattern, event);
}

/** Delivers the event to every matching rule's targets; a failed delivery is reported, never thrown. */
export async function putEvent(
  rules: readonly LocalEventRule[],
  event: LocalEvent,
  targets: EventTargets,
  onError: (error: unknown) => void,
): Promise<void> {
  const deliveries = rules
    .filter((rule) => matchesPattern(rule.pattern, event))
    .flatMap((rule) => rule.targets)
    .map((target) =>
      target.kind === 'sqs'
        ? targets.sendMessage(target.queueUrl, JSON.stringify(event))
        : targets.invokeFunction(target.functionArn, event),
    );
  const results = await Promise.allSettled(deliveries);
  for (const r of results) if (r.status === 'rejected') onError(r.reason);
}
