/**
 * Event-type patterns of endpoint subscriptions: dot-separated segments where `*` stands for exactly
 * one segment (`order.*` matches `order.placed`, not `order` nor `order.placed.eu`); a lone `*` matches
 * every type. No `**`: one rule is easier to reason about than two.
 *
 * Operational events (`herald.*` types, docs/api.md) are opt-in: a lone `*` does not match them, and
 * the pattern `herald.*` matches all of them (`herald.endpoint.failing` has three segments) — the one
 * exception to the segment rule, so a subscriber names Herald's events once, not each depth.
 */

import type { EndpointRecord, HeraldEvent } from '../shared/model.js';
import { endpointWants } from './filter/evaluate.js';

const SEGMENT = /^[a-z0-9_]+$/;
const MAX_PATTERN_LENGTH = 128;

function isValidEventTypePattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) return false;
  const segments = pattern.split('.');
  if (segments.length < 2) return false;
  // The first segment of a concrete type starts with a letter (EVENT_TYPE_PATTERN).
  const first = segments[0]!;
  if (first !== '*' && !/^[a-z]/.test(first)) return false;
  return segments.every((segment) => segment === '*' || SEGMENT.test(segment));
}

const OPERATIONAL_PREFIX = 'herald.';

function matchesEventType(pattern: string, type: string): boolean {
  if (type.startsWith(OPERATIONAL_PREFIX)) {
    if (pattern === '*') return false;
    if (pattern === 'herald.*') return true;
  }
  if (pattern === '*') return true;
  const want = pattern.split('.');
  const got = type.split('.');
  if (want.length !== got.length) return false;
  return want.every((segment, i) => segment === '*' || segment === got[i]);
}

function matchesAny(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => matchesEventType(pattern, type));
}

/** The endpoint an operational event is about (`data.endpointId`): it never receives that event. */
function aboutEndpoint(event: Pick<HeraldEvent, 'type' | 'data'>): string | undefined {
  if (!event.type.startsWith(OPERATIONAL_PREFIX)) return undefined;
  const id = event.data.endpointId;
  return typeof id === 'string' ? id : undefined;
}

type Subscriber = Pick<EndpointRecord, 'id' | 'eventTypes' | 'enabled' | 'filter'>;

/**
 * Who receives an event, decided here only: the tenant's endpoints subscribed to its type whose payload
 * filter (adrs/0010) it passes, except the one an operational event is about. Dispatch records a
 * `skipped` delivery for each disabled one and counts the `filtered` ones (no delivery, no write);
 * replays send nothing to either.
 */
function receiversOf<E extends Subscriber>(
  endpoints: readonly E[],
  event: Pick<HeraldEvent, 'type' | 'tenantId' | 'data'>,
): { readonly deliver: E[]; readonly skip: E[]; readonly filtered: E[] } {
  const about = aboutEndpoint(event);
  const subscribed = endpoints.filter((ep) => ep.id !== about && matchesAny(ep.eventTypes, event.type));
  const wanted = subscribed.filter((ep) => endpointWants(ep.filter, event));
  return {
    deliver: wanted.filter((ep) => ep.enabled),
    skip: wanted.filter((ep) => !ep.enabled),
    filtered: subscribed.filter((ep) => !wanted.includes(ep)),
  };
}

export { aboutEndpoint, isValidEventTypePattern, matchesAny, matchesEventType, receiversOf };
