/** Event types: the deployment's catalog with each type's schema and examples, where it has one. */
import { useState } from 'preact/hooks';
import { api, type EventType } from '../api';
import { ErrorNotice, Json, PageTitle, useLoad } from '../ui';

function TypeDetails({ type }: { type: EventType }) {
  const [open, setOpen] = useState(false);
  const detail = useLoad(() => (open ? api.eventType(type.name) : Promise.resolve(undefined)), [open]);
  return (
    <li class="card">
      <h2>{type.name}</h2>
      {type.description !== undefined ? <p>{type.description}</p> : null}
      {type.version > 0 ? <p class="meta">Schema version {type.version}</p> : null}
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>Schema and examples</summary>
        <ErrorNotice error={detail.error} />
        {detail.data?.schema !== undefined ? (
          <Json value={detail.data.schema} label={`${type.name} schema`} />
        ) : null}
        {(detail.data?.examples ?? []).map((example, i) => (
          <Json key={i} value={example} label={`${type.name} example ${i + 1}`} />
        ))}
        {detail.data !== undefined && detail.data.schema === undefined ? (
          <p>No schema: any data is accepted.</p>
        ) : null}
      </details>
    </li>
  );
}

function EventTypesPage() {
  const catalog = useLoad(() => api.eventTypes(), []);
  return (
    <section>
      <PageTitle>Event types</PageTitle>
      <ErrorNotice error={catalog.error} />
      {catalog.loading ? <p role="status">Loading the catalog…</p> : null}
      {!catalog.loading && catalog.data === undefined && catalog.error === undefined ? (
        <p>This deployment has no event catalog: any event type may be published and subscribed to.</p>
      ) : null}
      {catalog.data !== undefined && catalog.data.length === 0 ? <p>The catalog is empty.</p> : null}
      {catalog.data !== undefined && catalog.data.length > 0 ? (
        <ul class="cards" aria-label="Event types">
          {catalog.data.map((type) => (
            <TypeDetails key={type.name} type={type} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export { EventTypesPage };
