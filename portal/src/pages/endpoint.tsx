/**
 * One endpoint: its settings, state, backlog and public key, a chart of its last 24 hours; edit,
 * disable/enable, deliver what it missed, rotate the secret, send a test, delete.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ActivityChart } from '../activity-chart';
import { api, type Endpoint } from '../api';
import { EndpointForm } from '../endpoint-form';
import { MissedDeliveries } from '../missed-deliveries';
import { ErrorNotice, OnceSecret, PageTitle, StatusNotice, Time, useLoad } from '../ui';
import { StateBadge } from './endpoints';

/**
 * The deliveries waiting while the endpoint is in trouble (adrs/0011): how many, since when, and
 * whether they are being delivered now; and how many outlived the backlog and ended failed.
 */
function Backlog({ endpoint }: { endpoint: Endpoint }) {
  const backlog = endpoint.backlog;
  if (backlog === undefined) return <>—</>;
  return (
    <span class="backlog">
      {backlog.count === 0 ? (
        'none waiting'
      ) : (
        <>
          {backlog.count} waiting
          {backlog.oldestAt !== undefined ? (
            <>
              {' '}
              since <Time iso={backlog.oldestAt} />
            </>
          ) : null}
          {backlog.draining ? ', being delivered now' : ', delivered when the endpoint answers again'}
        </>
      )}
      {(backlog.expired ?? 0) > 0 ? (
        <p class="help">
          {backlog.expired} waited too long and ended failed; replay them by time window to deliver them.
        </p>
      ) : null}
    </span>
  );
}

function Details({ endpoint }: { endpoint: Endpoint }) {
  return (
    <dl class="details">
      <dt>State</dt>
      <dd>
        <StateBadge endpoint={endpoint} />
      </dd>
      <dt>Id</dt>
      <dd>
        <code>{endpoint.id}</code>
      </dd>
      <dt>Event types</dt>
      <dd>{endpoint.eventTypes.join(', ')}</dd>
      <dt>Description</dt>
      <dd>{endpoint.description ?? '—'}</dd>
      <dt>Rate limit</dt>
      <dd>{endpoint.rateLimit === undefined ? 'none' : `${endpoint.rateLimit} per second`}</dd>
      <dt>Backlog</dt>
      <dd>
        <Backlog endpoint={endpoint} />
      </dd>
      <dt>Payload filter</dt>
      <dd>{endpoint.filter === undefined ? 'none' : <code>{JSON.stringify(endpoint.filter)}</code>}</dd>
      <dt>Signatures</dt>
      <dd>{endpoint.signatureScheme ?? 'v1'}</dd>
      {endpoint.publicKey !== undefined ? (
        <>
          <dt>Public key</dt>
          <dd>
            <code>{endpoint.publicKey}</code>
            {(endpoint.publicKeys ?? []).length > 1 ? (
              <p class="help">
                Rotating: {(endpoint.publicKeys ?? []).length - 1} older key(s) still sign until their grace
                period ends.
              </p>
            ) : null}
            <p class="help">
              Receivers can also fetch every key in use:{' '}
              <a href={`../v1/tenants/${encodeURIComponent(endpoint.tenantId)}/jwks.json`}>key set (JWKS)</a>
            </p>
          </dd>
        </>
      ) : null}
      <dt>Updated</dt>
      <dd>
        <Time iso={endpoint.updatedAt} />
      </dd>
    </dl>
  );
}

function EndpointPage({ id }: { id: string }) {
  const loaded = useLoad(() => api.endpoint(id), [id]);
  const activity = useLoad(() => api.activity(id), [id]);
  // Disabled here, or enabled again here: where "Deliver what was missed" starts counting by default.
  const [missedSince, setMissedSince] = useState<Date | undefined>(undefined);
  const [reEnabled, setReEnabled] = useState(false);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<ComponentChildren>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const endpoint = loaded.data;
  const refresh = () => {
    loaded.reload();
    activity.reload();
  };

  const act = async (work: () => Promise<void>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <section>
      <PageTitle>Endpoint</PageTitle>
      <p>
        <a href="#/endpoints">All endpoints</a>
      </p>
      <ErrorNotice error={loaded.error} />
      {endpoint === undefined ? (
        loaded.loading ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <>
          <p class="url">{endpoint.url}</p>
          {secret !== undefined ? <OnceSecret secret={secret} what="New signing secret" /> : null}
          {notice !== undefined ? <StatusNotice>{notice}</StatusNotice> : null}
          <ErrorNotice error={error} />
          {editing ? (
            <EndpointForm
              legend="Edit endpoint"
              submitLabel="Save changes"
              initial={{
                url: endpoint.url,
                eventTypes: endpoint.eventTypes,
                ...(endpoint.description !== undefined ? { description: endpoint.description } : {}),
                ...(endpoint.rateLimit !== undefined ? { rateLimit: endpoint.rateLimit } : {}),
                ...(endpoint.filter !== undefined ? { filter: endpoint.filter } : {}),
                signatureScheme: endpoint.signatureScheme ?? 'v1',
              }}
              endpointId={endpoint.id}
              onCancel={() => setEditing(false)}
              onSubmit={async (values) => {
                await api.updateEndpoint(endpoint.id, {
                  url: values.url,
                  eventTypes: values.eventTypes,
                  description: values.description ?? null,
                  rateLimit: values.rateLimit ?? null,
                  filter: values.filter ?? null,
                  signatureScheme: values.signatureScheme,
                });
                setEditing(false);
                setNotice('Saved.');
                loaded.reload();
              }}
            />
          ) : (
            <Details endpoint={endpoint} />
          )}
          <h2>Last 24 hours</h2>
          <ErrorNotice error={activity.error} />
          {activity.data !== undefined ? <ActivityChart activity={activity.data} /> : null}
          {!endpoint.enabled || reEnabled ? (
            <MissedDeliveries
              key={endpoint.id}
              endpoint={endpoint}
              since={
                endpoint.disabledAt !== undefined
                  ? new Date(endpoint.disabledAt)
                  : (missedSince ?? new Date(Date.now() - 24 * 3600_000))
              }
              onChanged={() => {
                setReEnabled(true);
                refresh();
              }}
            />
          ) : null}
          <div class="actions">
            {!editing ? (
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
            ) : null}
            <button
              type="button"
              onClick={() =>
                act(async () => {
                  await api.updateEndpoint(endpoint.id, { enabled: !endpoint.enabled });
                  if (endpoint.enabled) setMissedSince(new Date());
                  else {
                    if (endpoint.disabledAt !== undefined) setMissedSince(new Date(endpoint.disabledAt));
                    setReEnabled(true);
                  }
                  setNotice(endpoint.enabled ? 'Endpoint disabled.' : 'Endpoint enabled.');
                  refresh();
                })
              }
            >
              {endpoint.enabled ? 'Disable' : 'Enable'}
            </button>
            <button
              type="button"
              onClick={() =>
                act(async () => {
                  const rotated = await api.rotateSecret(endpoint.id);
                  setSecret(rotated.secret);
                  setNotice(
                    rotated.previousSecretExpiresAt !== undefined
                      ? `The previous secret keeps signing until ${new Date(rotated.previousSecretExpiresAt).toLocaleString()}.` +
                          (rotated.publicKey !== undefined
                            ? ` New public key ${rotated.publicKey}; the previous key signs beside it until then.`
                            : '')
                      : undefined,
                  );
                  loaded.reload();
                })
              }
            >
              Rotate secret
            </button>
            <button
              type="button"
              onClick={() =>
                act(async () => {
                  const sent = await api.sendTest(endpoint.id);
                  setNotice(
                    <>
                      Test event sent. <a href={`#/events/${sent.id}`}>See its delivery</a>
                    </>,
                  );
                })
              }
            >
              Send test event
            </button>
            {confirmDelete ? (
              <>
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    act(async () => {
                      await api.deleteEndpoint(endpoint.id);
                      window.location.hash = '#/endpoints';
                    })
                  }
                >
                  Yes, delete this endpoint
                </button>
                <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
                  Keep it
                </button>
              </>
            ) : (
              <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

export { EndpointPage };
