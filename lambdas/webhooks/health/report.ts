/**
 * After a delivery's POST: folds the attempt into the endpoint's health (breaker.ts) and acts on what
 * changed — `herald.endpoint.failing` / `recovered` / `disabled`, and disabling the endpoint. The
 * happy path costs nothing: a success while this container's copy says healthy writes nothing. A
 * failure that only moves the streak is one atomic ADD; a transition is a consistent read and a
 * conditional write (retried on contention), so exactly one writer acts on each transition.
 */
import { config } from '../../shared/config.js';
import type { EndpointHealth, EndpointRecord } from '../../shared/model.js';
import { logger } from '../../shared/observability.js';
import { recoveryLive } from '../../shared/store/backlog.js';
import { countFailure, getHealth, writeTransition } from '../../shared/store/endpoint-health.js';
import { disableEndpoint } from '../../shared/store/endpoints.js';
import { type AfterAttempt, type AttemptReport, afterAttempt, type BreakerPolicy } from './breaker.js';
import { healthOf, notePredicted, remember } from './gate.js';
import { emitOpEvent, OP_EVENT_TYPES } from './op-events.js';

const DISABLED_REASON = 'all_attempts_failed';
const MAX_TRIES = 6;

function policy(): BreakerPolicy {
  return {
    failureThreshold: config.breakerFailureThreshold(),
    inlineTimeoutMs: config.inlineTimeoutMs(),
    disableAfterMs: config.endpointDisableAfterSeconds() * 1000,
  };
}

async function act(
  endpoint: EndpointRecord,
  before: EndpointHealth,
  result: AfterAttempt,
  lastError: string | undefined,
): Promise<void> {
  const base = { endpointId: endpoint.id, url: endpoint.url };
  for (const notice of result.notices) {
    if (notice === 'failing') {
      await emitOpEvent(endpoint.tenantId, OP_EVENT_TYPES.failing, {
        ...base,
        failureStreak: result.health.failureStreak,
        failingSince: result.health.failingSince,
        ...(lastError !== undefined ? { lastError } : {}),
      });
    } else if (notice === 'recovered') {
      await emitOpEvent(endpoint.tenantId, OP_EVENT_TYPES.recovered, {
        ...base,
        failingSince: before.failingSince,
        failureStreak: before.failureStreak,
      });
    } else {
      const at = result.health.disabledAt ?? new Date().toISOString();
      if (await disableEndpoint(endpoint.id, DISABLED_REASON, at)) {
        logger.warn('endpoint disabled: every attempt failed', { endpointId: endpoint.id });
        await emitOpEvent(endpoint.tenantId, OP_EVENT_TYPES.disabled, {
          ...base,
          disabledReason: DISABLED_REASON,
          disabledAt: at,
          failingSince: result.health.failingSince,
        });
      }
    }
  }
}

/** Records one attempt's result in the endpoint's health; never throws for contention. */
async function reportAttempt(
  endpoint: EndpointRecord,
  report: AttemptReport,
  lastError?: string,
): Promise<void> {
  const rules = policy();
  const cached = await healthOf(endpoint.id, report.at.getTime());
  const predicted = afterAttempt(cached.health, report, rules);
  if (predicted.stale) return;
  if (!predicted.transition) {
    if (!report.ok) await countFailure(endpoint.id, report.at);
    notePredicted(endpoint.id, predicted.health);
    return;
  }
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const stored = await getHealth(endpoint.id, true);
    const result = afterAttempt(stored.health, report, rules);
    if (result.stale) return;
    if (!result.transition) {
      if (!report.ok) await countFailure(endpoint.id, report.at);
      remember(endpoint.id, { ...stored, health: result.health });
      return;
    }
    const written = await writeTransition(endpoint.id, stored.version, result.health, {
      countFailure: !report.ok,
      now: report.at,
    });
    if (written) {
      remember(endpoint.id, { ...stored, health: result.health, version: stored.version + 1 });
      // While a recovery drains the backlog, it announces the recovery itself, with what it drained.
      const notices = recoveryLive(stored.backlog, report.at)
        ? result.notices.filter((n) => n !== 'recovered')
        : result.notices;
      await act(endpoint, stored.health, { ...result, notices }, lastError);
      return;
    }
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (tries + 1)));
  }
  logger.warn('endpoint health not updated: contention', { endpointId: endpoint.id });
}

export { reportAttempt };
