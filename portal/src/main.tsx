/**
 * The consumer portal: a client of the public /v1 API and nothing more. A magic link carries its
 * token in the fragment (`#token=...`); the page removes it from the address bar at once, exchanges it
 * for an HttpOnly session cookie, and from then on every call is an ordinary API call. Routes are
 * fragments (`#/endpoints`, `#/events/<id>`, ...), so the server only ever serves this one page.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type PortalSession, setUnauthorizedHandler } from './api';
import { EndpointPage } from './pages/endpoint';
import { EndpointsPage } from './pages/endpoints';
import { EventPage } from './pages/event';
import { EventTypesPage } from './pages/event-types';
import { EventsPage } from './pages/events';
import { ReplayPage } from './pages/replay';
import { SignedOutPage } from './pages/signed-out';
import { Time } from './ui';

type Phase =
  | { readonly kind: 'starting' }
  /** A link was opened: ask before it replaces whatever session this browser has (login CSRF). */
  | { readonly kind: 'confirm'; readonly token: string; readonly tenantId: string | null }
  | { readonly kind: 'ready'; readonly session: PortalSession }
  | { readonly kind: 'signed-out'; readonly reason: string };

const HOME = '#/endpoints';

function reasonOf(error: unknown, fallback: string): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return error.problem.reason ?? fallback;
    if (error.status === 404) return 'no_session';
  }
  return 'unavailable';
}

async function exchange(token: string): Promise<Phase> {
  try {
    return { kind: 'ready', session: await api.openSession(token) };
  } catch (error) {
    return { kind: 'signed-out', reason: reasonOf(error, 'link_invalid') };
  }
}

async function start(): Promise<Phase> {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const token = fragment.get('token');
  if (token !== null) {
    // Out of the address bar (and history) before anything else happens, whatever the answer.
    window.history.replaceState(null, '', `${window.location.pathname}${HOME}`);
    return { kind: 'confirm', token, tenantId: fragment.get('tenant') };
  }
  try {
    return { kind: 'ready', session: await api.session() };
  } catch (error) {
    return { kind: 'signed-out', reason: reasonOf(error, 'no_session') };
  }
}

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const update = () => setHash(window.location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function Page({ hash }: { hash: string }) {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const key = hash; // a new route mounts a new page, so its heading takes focus
  if (parts[0] === 'endpoints' && parts[1] !== undefined) return <EndpointPage key={key} id={parts[1]} />;
  if (parts[0] === 'events' && parts[1] !== undefined) return <EventPage key={key} id={parts[1]} />;
  if (parts[0] === 'events') return <EventsPage key={key} query={new URLSearchParams(search)} />;
  if (parts[0] === 'replay') return <ReplayPage key={key} />;
  if (parts[0] === 'event-types') return <EventTypesPage key={key} />;
  return <EndpointsPage key={key} />;
}

const NAV = [
  ['#/endpoints', 'Endpoints'],
  ['#/events', 'Events'],
  ['#/replay', 'Replay'],
  ['#/event-types', 'Event types'],
] as const;

function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const hash = useHash();
  useEffect(() => {
    setUnauthorizedHandler((error) =>
      setPhase({ kind: 'signed-out', reason: reasonOf(error, 'unknown_session') }),
    );
    start().then(setPhase);
  }, []);

  if (phase.kind === 'starting') return <p role="status">Opening the portal…</p>;
  if (phase.kind === 'confirm') {
    const { token, tenantId } = phase;
    const who = tenantId === null ? 'this link' : `tenant ${tenantId}`;
    return (
      <main id="main">
        <section class="signed-out">
          <h1>Open the portal for {who}?</h1>
          <p>
            This signs this browser in to {who}'s webhooks and replaces any portal session open here. Open it
            only if you asked for this link.
          </p>
          <p>
            <button type="button" onClick={() => exchange(token).then(setPhase)}>
              Open the portal
            </button>{' '}
            <button
              type="button"
              class="secondary"
              onClick={() => setPhase({ kind: 'signed-out', reason: 'no_session' })}
            >
              Cancel
            </button>
          </p>
        </section>
      </main>
    );
  }
  if (phase.kind === 'signed-out') {
    return (
      <main id="main">
        <SignedOutPage reason={phase.reason} />
      </main>
    );
  }
  const active = NAV.find(([href]) => hash.startsWith(href))?.[0] ?? HOME;
  return (
    <>
      <header>
        <p class="brand">
          Herald webhooks · <span class="tenant">tenant {phase.session.tenantId}</span>
        </p>
        <nav aria-label="Portal">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={href === active ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="session">
          Session ends <Time iso={phase.session.expiresAt} />{' '}
          <button
            type="button"
            class="secondary"
            onClick={() =>
              api.signOut().then(
                () => setPhase({ kind: 'signed-out', reason: 'signed_out' }),
                () => setPhase({ kind: 'signed-out', reason: 'signed_out' }),
              )
            }
          >
            Sign out
          </button>
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        <Page hash={hash} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
