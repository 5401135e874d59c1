/**
 * "Deliver what was missed" on a disabled or just re-enabled endpoint (issue 19): count the deliveries
 * skipped while it was disabled or failed (expired in the backlog, retries exhausted) since a time —
 * `POST /v1/replay` with `dryRun` — then, once confirmed, the same call without it: they are parked in
 * the endpoint's backlog and drained gently (its rate limit or a ramp, oldest first; adrs/0011).
 */
import { useState } from 'preact/hooks';
import { api, type Endpoint } from './api';
import { ErrorNotice, localInput, StatusNotice } from './ui';

interface Counted {
  readonly since: string;
  readonly until: string;
  readonly wouldReplay: number;
  readonly events: number;
  readonly truncated: boolean;
}

const deliveries = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'delivery' : 'deliveries'}`;

function MissedDeliveries({
  endpoint,
  since: defaultSince,
  onChanged,
}: {
  endpoint: Endpoint;
  /** Where the count starts unless the person changes it (when it was disabled, or 24 h ago). */
  since: Date;
  onChanged: () => void;
}) {
  const [since, setSince] = useState(localInput(defaultSince));
  const [counted, setCounted] = useState<Counted | undefined>(undefined);
  const [result, setResult] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const count = (event: Event) => {
    event.preventDefault();
    setResult(undefined);
    setCounted(undefined);
    return run(async () => {
      const window = {
        since: new Date(since).toISOString(),
        until: new Date(Date.now() + 60_000).toISOString(),
      };
      const dry = await api.countMissed(endpoint.id, window.since, window.until);
      setCounted({ ...window, wouldReplay: dry.wouldReplay, events: dry.events, truncated: dry.truncated });
    });
  };

  const deliver = (what: Counted) =>
    run(async () => {
      // A disabled endpoint would skip them again: it is enabled first, then the one call delivers them.
      if (!endpoint.enabled) {
        await api.updateEndpoint(endpoint.id, { enabled: true });
        onChanged();
      }
      const answer = await api.deliverMissed(endpoint.id, what.since, what.until);
      setCounted(undefined);
      setResult(
        `${deliveries(answer.replayed)} queued through the backlog: delivered gently, oldest first` +
          `${endpoint.rateLimit !== undefined ? ` at ${endpoint.rateLimit} per second at most` : ''}.` +
          `${answer.failed ? ` ${deliveries(answer.failed)} could not be queued; count again and retry.` : ''}` +
          `${answer.truncated ? ' There is more: count again to deliver the rest.' : ''}`,
      );
      onChanged();
    });

  return (
    <section class="panel" aria-labelledby="missed-title">
      <h2 id="missed-title">Deliver what was missed</h2>
      <p class="help">
        While the endpoint was disabled its deliveries were kept as <em>skipped</em>; deliveries that waited
        too long in the backlog ended <em>failed</em>. Count them since a time, then deliver them through the
        backlog, oldest first
        {endpoint.rateLimit !== undefined ? ', within the rate limit' : ', at a gentle ramp'}. Receivers see
        the same <code>webhook-id</code>.
      </p>
      <form onSubmit={count}>
        <fieldset disabled={busy}>
          <label for="missed-since">Missed since</label>
          <input
            id="missed-since"
            type="datetime-local"
            required
            value={since}
            onInput={(e) => {
              setSince(e.currentTarget.value);
              setCounted(undefined);
            }}
          />
          <div class="actions">
            <button type="submit">Count missed deliveries</button>
          </div>
        </fieldset>
      </form>
      <ErrorNotice error={error} />
      {counted !== undefined ? (
        <div role="status" aria-label="Missed deliveries">
          <p>
            {counted.wouldReplay === 0
              ? `Nothing was skipped or failed since ${new Date(counted.since).toLocaleString()}.`
              : `${deliveries(counted.wouldReplay)} skipped or failed since ${new Date(counted.since).toLocaleString()}, across ${counted.events.toLocaleString('en')} ${counted.events === 1 ? 'event' : 'events'}.`}
            {counted.truncated
              ? ' The window holds more than one call takes: deliver these, then count again.'
              : ''}
          </p>
          {counted.wouldReplay > 0 ? (
            <div class="actions">
              <button type="button" disabled={busy} onClick={() => deliver(counted)}>
                {endpoint.enabled
                  ? `Deliver ${deliveries(counted.wouldReplay)}`
                  : `Enable and deliver ${deliveries(counted.wouldReplay)}`}
              </button>
              <button type="button" class="secondary" disabled={busy} onClick={() => setCounted(undefined)}>
                Not now
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {result !== undefined ? <StatusNotice>{result}</StatusNotice> : null}
    </section>
  );
}

export { MissedDeliveries };
