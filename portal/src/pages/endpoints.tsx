/** Endpoints: the tenant's webhook endpoints with their state, and a form to add one. */
import { useState } from 'preact/hooks';
import { api, type Endpoint } from '../api';
import { EndpointForm } from '../endpoint-form';
import { ErrorNotice, OnceSecret, PageTitle, useLoad } from '../ui';

/** The API's `disabledReason` codes in words; an unknown code is shown as it is. */
const DISABLED_REASONS: Readonly<Record<string, string>> = {
  all_attempts_failed: 'by Herald: every attempt failed for the configured period',
};

/** Enabled, disabled (and why), failing: what the API says about the endpoint. */
function endpointState(endpoint: Endpoint): { label: string; kind: 'ok' | 'off' | 'bad'; why?: string } {
  if (!endpoint.enabled) {
    return endpoint.disabledReason !== undefined
      ? {
          label: 'Disabled',
          kind: 'off',
          why: DISABLED_REASONS[endpoint.disabledReason] ?? endpoint.disabledReason,
        }
      : { label: 'Disabled', kind: 'off' };
  }
  const health = endpoint.health;
  if (health !== undefined && health.status !== 'healthy') {
    const streak = `${health.failureStreak} failed ${health.failureStreak === 1 ? 'attempt' : 'attempts'} in a row`;
    const why =
      health.status === 'held' && health.heldUntil !== undefined
        ? `held until ${new Date(health.heldUntil).toLocaleString()} (Retry-After)`
        : health.status === 'open'
          ? `deliveries paused after ${streak}`
          : streak;
    return { label: 'Failing', kind: 'bad', why };
  }
  return { label: 'Enabled', kind: 'ok' };
}

function StateBadge({ endpoint }: { endpoint: Endpoint }) {
  const state = endpointState(endpoint);
  return (
    <span class={`badge ${state.kind}`}>
      {state.label}
      {state.why !== undefined ? ` — ${state.why}` : ''}
    </span>
  );
}

function EndpointsPage() {
  const list = useLoad(() => api.endpoints(), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ id: string; secret: string } | undefined>(undefined);

  return (
    <section>
      <PageTitle>Endpoints</PageTitle>
      <p>Where Herald sends your webhooks. Each endpoint receives the event types it subscribes to.</p>
      {created !== undefined ? (
        <div>
          <OnceSecret secret={created.secret} what="Endpoint created. Its signing secret" />
          <p>
            <a href={`#/endpoints/${created.id}`}>Open the new endpoint</a>
          </p>
        </div>
      ) : null}
      {creating ? (
        <EndpointForm
          legend="New endpoint"
          submitLabel="Create endpoint"
          onCancel={() => setCreating(false)}
          onSubmit={async ({ filter, ...input }) => {
            const endpoint = await api.createEndpoint({ ...input, ...(filter != null ? { filter } : {}) });
            setCreating(false);
            setCreated({ id: endpoint.id, secret: endpoint.secret });
            list.reload();
          }}
        />
      ) : (
        <button type="button" onClick={() => setCreating(true)}>
          New endpoint
        </button>
      )}
      <ErrorNotice error={list.error} />
      {list.loading && list.data === undefined ? <p role="status">Loading endpoints…</p> : null}
      {list.data !== undefined && list.data.items.length === 0 ? <p>No endpoints yet.</p> : null}
      {list.data !== undefined && list.data.items.length > 0 ? (
        <ul class="cards" aria-label="Endpoints">
          {list.data.items.map((endpoint) => (
            <li key={endpoint.id} class="card">
              <a href={`#/endpoints/${endpoint.id}`} class="url">
                {endpoint.url}
              </a>
              <StateBadge endpoint={endpoint} />
              <p class="meta">
                {endpoint.eventTypes.join(', ')}
                {endpoint.description !== undefined ? ` · ${endpoint.description}` : ''}
              </p>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export { EndpointsPage, StateBadge };
