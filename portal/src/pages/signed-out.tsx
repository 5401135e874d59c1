/** What the portal shows without a session: a link that is invalid, expired or used, or a session that ended. */
import { PageTitle } from '../ui';

const TEXT: Record<string, { title: string; body: string }> = {
  link_expired: {
    title: 'This link has expired',
    body: 'Portal links work for a limited time. Ask the team that sent it for a new one.',
  },
  link_used: {
    title: 'This link has already been used',
    body: 'Each portal link opens one session, once. Ask the team that sent it for a new one.',
  },
  link_invalid: {
    title: 'This link is not valid',
    body: 'It may be incomplete or revoked. Ask the team that sent it for a new one.',
  },
  session_expired: {
    title: 'Your session has expired',
    body: 'Open a new portal link to continue.',
  },
  unknown_session: {
    title: 'Your session has ended',
    body: 'It was signed out or revoked. Open a new portal link to continue.',
  },
  signed_out: { title: 'You are signed out', body: 'Open a portal link to sign in again.' },
  no_session: {
    title: 'Open your portal link',
    body: 'This portal is reached through a link from the team that sends you webhooks.',
  },
  unavailable: { title: 'The portal could not reach the API', body: 'Try again in a moment.' },
};

function SignedOutPage({ reason }: { reason: string }) {
  const text = TEXT[reason] ?? TEXT.no_session!;
  return (
    <section class="signed-out">
      <PageTitle>{text.title}</PageTitle>
      <p>{text.body}</p>
    </section>
  );
}

export { SignedOutPage };
