/** Replay: deliver a time window of events again to one endpoint (or all), with the count the API reports. */
import { useState } from 'preact/hooks';
import { api, DELIVERY_STATES } from '../api';
import { ErrorNotice, localInput, PageTitle, StatusNotice, useLoad } from '../ui';

function ReplayPage() {
  const endpoints = useLoad(() => api.endpoints(), []);
  const now = new Date();
  const [since, setSince] = useState(localInput(new Date(now.getTime() - 3600_000)));
  const [until, setUntil] = useState(localInput(new Date(now.getTime() + 60_000)));
  const [endpointId, setEndpointId] = useState('');
  const [status, setStatus] = useState('');
  const [result, setResult] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const answered = await api.bulkReplay({
        since: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        ...(endpointId !== '' ? { endpointId } : {}),
        ...(status !== '' ? { status: status as (typeof DELIVERY_STATES)[number] } : {}),
      });
      // This form never asks for a dry run, so the answer is the replay's (202).
      if ('dryRun' in answered) throw new Error('unexpected dry-run answer');
      const answer = answered;
      setResult(
        `Replay requested for ${answer.replayed} ${answer.replayed === 1 ? 'delivery' : 'deliveries'} across ${answer.events ?? 0} events` +
          `${answer.failed ? ` (${answer.failed} could not be queued)` : ''}` +
          `${answer.truncated ? '. The window holds more than 1000 events: narrow it and replay the rest.' : '.'}`,
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageTitle>Replay</PageTitle>
      <p>
        Deliver every event of a time window again. Receivers see the same <code>webhook-id</code> and can
        deduplicate. To replay a single event, open it from <a href="#/events">Events</a>.
      </p>
      <form class="panel" onSubmit={submit}>
        <fieldset disabled={busy}>
          <legend>Replay a time window</legend>
          <label for="r-since">From</label>
          <input
            id="r-since"
            type="datetime-local"
            required
            value={since}
            onInput={(e) => setSince(e.currentTarget.value)}
          />
          <label for="r-until">Until</label>
          <input
            id="r-until"
            type="datetime-local"
            required
            value={until}
            onInput={(e) => setUntil(e.currentTarget.value)}
          />
          <label for="r-endpoint">Endpoint</label>
          <select id="r-endpoint" value={endpointId} onChange={(e) => setEndpointId(e.currentTarget.value)}>
            <option value="">All matching endpoints</option>
            {(endpoints.data?.items ?? []).map((ep) => (
              <option key={ep.id} value={ep.id}>
                {ep.url}
              </option>
            ))}
          </select>
          <label for="r-status">Only deliveries that are</label>
          <select id="r-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">In any state</option>
            {DELIVERY_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <ErrorNotice error={error ?? endpoints.error} />
          <div class="actions">
            <button type="submit">Replay window</button>
          </div>
        </fieldset>
      </form>
      {result !== undefined ? <StatusNotice>{result}</StatusNotice> : null}
    </section>
  );
}

export { ReplayPage };
