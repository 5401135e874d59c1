/**
 * Events: the tenant's recent events, newest first, filtered by type and time window (by the API) and
 * by delivery status (over the loaded events, from each event's delivery summary).
 */
import { useState } from 'preact/hooks';
import { api, DELIVERY_STATES, type Delivery, type HeraldEvent } from '../api';
import { ErrorNotice, PageTitle, Time, useLoad } from '../ui';

const WINDOWS: Record<string, { label: string; seconds: number }> = {
  '1h': { label: 'Last hour', seconds: 3600 },
  '24h': { label: 'Last 24 hours', seconds: 86_400 },
  '7d': { label: 'Last 7 days', seconds: 604_800 },
  '30d': { label: 'Last 30 days', seconds: 2_592_000 },
};

interface Filters {
  readonly type: string;
  readonly window: string;
  readonly status: string;
}

type Row = HeraldEvent & { deliveries: Delivery[] };

async function loadRows(filters: Filters, cursor?: string) {
  const seconds = WINDOWS[filters.window]?.seconds ?? 86_400;
  const page = await api.events({
    since: new Date(Date.now() - seconds * 1000).toISOString(),
    ...(filters.type !== '' ? { type: filters.type } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  });
  const rows = await Promise.all(page.items.map((event) => api.event(event.id)));
  return { rows: rows as Row[], nextCursor: page.nextCursor };
}

function summary(deliveries: readonly Delivery[]): string {
  if (deliveries.length === 0) return 'no deliveries';
  const counts = new Map<string, number>();
  for (const d of deliveries) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}

function EventsPage({ query }: { query: URLSearchParams }) {
  const filters: Filters = {
    type: query.get('type') ?? '',
    window: WINDOWS[query.get('window') ?? ''] ? (query.get('window') as string) : '24h',
    status: query.get('status') ?? '',
  };
  const loaded = useLoad(() => loadRows(filters), [filters.type, filters.window]);
  const [more, setMore] = useState<{ rows: Row[]; nextCursor?: string | undefined } | undefined>(undefined);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const rows = [...(loaded.data?.rows ?? []), ...(more?.rows ?? [])];
  const nextCursor = more !== undefined ? more.nextCursor : loaded.data?.nextCursor;
  const shown =
    filters.status === '' ? rows : rows.filter((r) => r.deliveries.some((d) => d.state === filters.status));

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const key of ['type', 'window', 'status']) {
      const value = String(form.get(key) ?? '').trim();
      if (value !== '') next.set(key, value);
    }
    setMore(undefined);
    window.location.hash = `#/events?${next.toString()}`;
  };

  return (
    <section>
      <PageTitle>Events</PageTitle>
      <form class="filters" onSubmit={apply} aria-label="Filter events">
        <label for="f-type">Type</label>
        <input id="f-type" name="type" value={filters.type} placeholder="order.placed" />
        <label for="f-window">Time window</label>
        <select id="f-window" name="window" value={filters.window}>
          {Object.entries(WINDOWS).map(([key, w]) => (
            <option key={key} value={key}>
              {w.label}
            </option>
          ))}
        </select>
        <label for="f-status">Delivery status</label>
        <select id="f-status" name="status" value={filters.status}>
          <option value="">Any</option>
          {DELIVERY_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button type="submit">Apply filters</button>
      </form>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setMore(undefined);
            loaded.reload();
          }}
        >
          Refresh
        </button>
      </div>
      <ErrorNotice error={loaded.error ?? moreError} />
      {loaded.loading ? <p role="status">Loading events…</p> : null}
      {!loaded.loading && shown.length === 0 ? <p>No events match.</p> : null}
      {shown.length > 0 ? (
        <div class="scroll">
          <table>
            <caption>Events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Event</th>
                <th scope="col">Deliveries</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Time iso={row.createdAt} />
                  </td>
                  <td>{row.type}</td>
                  <td>
                    <a href={`#/events/${row.id}`}>{row.id}</a>
                  </td>
                  <td>{summary(row.deliveries)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {nextCursor !== undefined ? (
        <button
          type="button"
          onClick={() =>
            loadRows(filters, nextCursor).then(
              (page) => setMore({ rows: [...(more?.rows ?? []), ...page.rows], nextCursor: page.nextCursor }),
              setMoreError,
            )
          }
        >
          Load older events
        </button>
      ) : null}
    </section>
  );
}

export { EventsPage };
