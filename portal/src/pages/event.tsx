/**
 * One event: its payload, its deliveries per endpoint, every attempt (time, status code or error class,
 * duration, next attempt, the first 1 KiB of the receiver's answer), and replay to one or all endpoints.
 */
import { useEffect, useState } from 'preact/hooks';
import { type Attempt, api, type Delivery } from '../api';
import { ErrorNotice, Json, PageTitle, StatusNotice, Time, useLoad } from '../ui';

/**
 * The page reads the API again while something is on its way: a delivery in flight, a replay just
 * asked for, or a new event whose deliveries the dispatcher has not made yet.
 */
const REFRESH_MS = 1500;
const WATCH_MS = 30_000;

async function loadEvent(id: string) {
  const [event, attempts, endpoints] = await Promise.all([
    api.event(id),
    api.attempts(id),
    api.endpoints().catch(() => ({ items: [] })),
  ]);
  return {
    event,
    attempts: attempts.items,
    // From the same answer as the attempts, so a state never lags the attempts shown beside it.
    deliveries: attempts.deliveries,
    urls: new Map(endpoints.items.map((e) => [e.id, e.url])),
  };
}

function outcomeText(attempt: Attempt): string {
  if (attempt.statusCode !== undefined) return `HTTP ${attempt.statusCode}`;
  return attempt.errorClass ?? 'no answer';
}

/** `generation` counts from 0 (the first delivery); a replay or redrive adds one. */
function AttemptsTable({ attempts, generation }: { attempts: Attempt[]; generation: number }) {
  return (
    <div class="scroll">
      <table>
        <caption>Delivery {generation + 1}: attempts</caption>
        <thead>
          <tr>
            <th scope="col">Attempt</th>
            <th scope="col">Time</th>
            <th scope="col">Result</th>
            <th scope="col">Duration</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Response body</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={`${a.generation}-${a.attempt}`}>
              <td>
                {a.attempt} ({a.outcome})
              </td>
              <td>
                <Time iso={a.at} />
              </td>
              <td>{outcomeText(a)}</td>
              <td>{a.durationMs === undefined ? '—' : `${a.durationMs} ms`}</td>
              <td>
                <Time iso={a.nextAttemptAt} />
              </td>
              <td>
                {a.responseBody !== undefined ? (
                  <details>
                    <summary>First 1 KiB</summary>
                    <pre class="body">{a.responseBody}</pre>
                  </details>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeliveryBlock(props: {
  delivery: Delivery;
  url: string | undefined;
  attempts: Attempt[];
  onReplay: () => void;
}) {
  const { delivery, url, attempts } = props;
  const generations = [...new Set(attempts.map((a) => a.generation ?? 0))].sort((a, b) => a - b);
  return (
    <article class="card" aria-label={`Delivery to ${url ?? delivery.endpointId}`}>
      <h3>
        To <span class="url">{url ?? delivery.endpointId}</span>
      </h3>
      <p>
        State: <span class={`badge ${delivery.state}`}>{delivery.state}</span>
        {delivery.lastError !== undefined ? ` — ${delivery.lastError}` : ''}
        {delivery.nextAttemptAt !== undefined ? (
          <>
            {' '}
            · next attempt <Time iso={delivery.nextAttemptAt} />
          </>
        ) : null}
      </p>
      {generations.length === 0 ? <p>No attempt recorded yet.</p> : null}
      {generations.map((g) => (
        <AttemptsTable key={g} generation={g} attempts={attempts.filter((a) => (a.generation ?? 0) === g)} />
      ))}
      <button type="button" onClick={props.onReplay}>
        Replay to this endpoint
      </button>
    </article>
  );
}

function EventPage({ id }: { id: string }) {
  const loaded = useLoad(() => loadEvent(id), [id]);
  const [replayedAt, setReplayedAt] = useState<number | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const data = loaded.data;
  const now = Date.now();
  const inFlight = data?.deliveries.some((d) => d.state === 'pending' || d.state === 'retrying') ?? false;
  const recentlyReplayed = replayedAt !== undefined && now - replayedAt < WATCH_MS;
  const awaitingDispatch =
    data !== undefined && data.deliveries.length === 0 && now - Date.parse(data.event.createdAt) < WATCH_MS;

  useEffect(() => {
    if (!inFlight && !recentlyReplayed && !awaitingDispatch) return;
    const timer = window.setTimeout(loaded.reload, REFRESH_MS);
    return () => window.clearTimeout(timer);
  }, [data, inFlight, recentlyReplayed, awaitingDispatch, loaded.reload]);

  const replay = async (endpointId?: string) => {
    setError(undefined);
    try {
      const result = await api.replayEvent(id, endpointId);
      setNotice(`Replay requested: ${result.replayed} ${result.replayed === 1 ? 'delivery' : 'deliveries'}.`);
      setReplayedAt(Date.now());
      loaded.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <section>
      <PageTitle>Event</PageTitle>
      <p>
        <a href="#/events">All events</a>
      </p>
      <ErrorNotice error={loaded.error ?? error} />
      {notice !== undefined ? <StatusNotice>{notice}</StatusNotice> : null}
      {data === undefined ? (
        loaded.loading ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <>
          <dl class="details">
            <dt>Id</dt>
            <dd>
              <code>{data.event.id}</code>
            </dd>
            <dt>Type</dt>
            <dd>{data.event.type}</dd>
            <dt>Created</dt>
            <dd>
              <Time iso={data.event.createdAt} />
            </dd>
          </dl>
          <h2>Payload</h2>
          <Json value={data.event.data} label="Event payload" />
          <h2>Deliveries</h2>
          <div class="actions">
            <button type="button" onClick={() => replay()}>
              Replay to all endpoints
            </button>
            <button type="button" class="secondary" onClick={loaded.reload}>
              Refresh
            </button>
          </div>
          {data.deliveries.length === 0 ? <p>No endpoint has received this event.</p> : null}
          {data.deliveries.map((delivery) => (
            <DeliveryBlock
              key={delivery.endpointId}
              delivery={delivery}
              url={data.urls.get(delivery.endpointId)}
              attempts={data.attempts.filter((a) => a.endpointId === delivery.endpointId)}
              onReplay={() => replay(delivery.endpointId)}
            />
          ))}
        </>
      )}
    </section>
  );
}

export { EventPage };
