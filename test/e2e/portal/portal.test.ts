/**
 * The consumer portal in a real browser (issue 12): a magic link opens a tenant session; the tenant's
 * developer creates an endpoint, sees a published event's delivery and every attempt, replays it and
 * sees the second delivery; expired, used and revoked links show a clear page; a tenant never sees
 * another tenant's data. Driven by role and text, as a person reads the page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, expectStatus, publishOk, uniqueTenant } from '../support/fixtures.js';
import { status } from '../support/receiver.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { waitUntil } from '../support/wait.js';
import { type BrowserSession, chromiumMissing, openBrowser, screenshot, visible } from './browser.js';

const ctx = useHerald({ timeScale: 0.001 });
/** Bounds waits on the pipeline (a delivery, its retry); not a speed claim. */
const PIPELINE_MS = 60_000;

async function portalLink(tenantId: string, expiresIn?: number): Promise<string> {
  const body = expectStatus(
    'create portal link',
    await ctx.api.post<{ url: string }>('/v1/portal-links', {
      tenantId,
      ...(expiresIn !== undefined ? { expiresIn } : {}),
    }),
    201,
  );
  return body.url;
}

/** Opens a magic link as a person does: the page asks first (login CSRF), the person says yes. */
async function openLink(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Open the portal' }).click();
}

/** Accepted is not yet stored: dispatch records a published event, then the API (and portal) lists it. */
async function stored(eventId: string): Promise<void> {
  await waitUntil(
    () => ctx.api.get(`/v1/events/${eventId}`),
    (r) => r.status === 200,
    { timeoutMs: PIPELINE_MS, intervalMs: 100, description: `event ${eventId} to be stored` },
  );
}

const skip = receiverUnreachable('portal') || chromiumMissing();

describe.skipIf(skip)('consumer portal', () => {
  const sessions: BrowserSession[] = [];
  const browser = async (viewport?: { width: number; height: number }) => {
    const session = await openBrowser(viewport);
    sessions.push(session);
    return session;
  };
  afterAll(async () => {
    for (const session of sessions) await session.close();
  });

  describe('a tenant developer', () => {
    const tenantId = uniqueTenant('portal');
    let session: BrowserSession;
    let eventId: string;

    beforeAll(async () => {
      session = await browser();
    });

    it('opens the magic link; the token leaves the address bar and no script can read the session', async () => {
      const { page } = session;
      await page.goto(await portalLink(tenantId));
      // It asks first, naming the tenant, and nothing is signed in until the person says yes.
      await visible(page.getByRole('heading', { level: 1, name: `Open the portal for tenant ${tenantId}?` }));
      expect(page.url()).not.toContain('token');
      expect(await session.context.cookies()).toEqual([]);
      await page.getByRole('button', { name: 'Open the portal' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Endpoints' }));
      await visible(page.getByText(`tenant ${tenantId}`));
      expect(page.url()).not.toContain('token');
      expect(await page.evaluate('window.location.hash')).toBe('#/endpoints');
      // Evaluated in the page (a string: this file is compiled without the DOM library).
      const readable = await page.evaluate(
        '({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length })',
      );
      expect(readable).toMatchObject({ cookie: '', local: 0, session: 0 });
      const cookies = await session.context.cookies();
      expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
        { name: 'herald_portal_session', httpOnly: true, sameSite: 'Strict' },
      ]);
    });

    it('creates an endpoint (keyboard only) and sees its signing secret once', async () => {
      const { page } = session;
      ctx.receiver.script('portal-hook', [status(500)]);
      await page.getByRole('button', { name: 'New endpoint' }).focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('URL').fill(ctx.receiver.url('portal-hook'));
      await page.getByRole('textbox', { name: /event type/i }).fill('portal.*');
      await page.getByLabel('Description').fill('Order notifications');
      await page.getByLabel(/Rate limit/).fill('20');
      await page.getByLabel('Description').press('Enter'); // submits the form
      await visible(page.getByText(/Endpoint created\. Its signing secret/));
      expect(await page.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);
      await visible(page.getByRole('link', { name: ctx.receiver.url('portal-hook') }));
      await visible(page.getByText('Enabled'));
      await screenshot(page, 'endpoints');
    });

    it('sees a published event, its delivery and every attempt (the failure with its body, then success)', async () => {
      const { page } = session;
      const published = await publishOk(ctx.api, {
        type: 'portal.order_shipped',
        tenantId,
        data: { orderId: 'o-42', carrier: 'DHL' },
      });
      eventId = published.id;
      await stored(eventId);
      await page.getByRole('link', { name: 'Events' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Events' }));
      await visible(page.getByRole('link', { name: eventId }));
      await screenshot(page, 'events');
      await page.getByRole('link', { name: eventId }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Event' }));
      await visible(page.getByText('"carrier": "DHL"'));
      // The first attempt fails (500, retried), the retry succeeds; the page refreshes while in flight.
      const attempts = page.getByRole('table', { name: 'Delivery 1: attempts' });
      await visible(attempts.getByRole('cell', { name: 'HTTP 500' }), PIPELINE_MS);
      await visible(attempts.getByRole('cell', { name: 'HTTP 200' }), PIPELINE_MS);
      await visible(page.getByText('delivered', { exact: true }), PIPELINE_MS);
      await attempts.getByText('First 1 KiB').first().click();
      await visible(attempts.getByText('500', { exact: true }));
      await screenshot(page, 'event');
    });

    it('replays the event and sees the second delivery', async () => {
      const { page } = session;
      await page.getByRole('button', { name: 'Replay to all endpoints' }).click();
      await visible(page.getByText('Replay requested: 1 delivery.'));
      const second = page.getByRole('table', { name: 'Delivery 2: attempts' });
      await visible(second.getByRole('cell', { name: 'HTTP 200' }), PIPELINE_MS);
      const deliveries = await waitUntil(
        () => ctx.receiver.accepted('portal-hook'),
        (r) => r.filter((w) => w.webhookId === eventId).length >= 2,
        { timeoutMs: PIPELINE_MS, description: 'the replayed webhook' },
      );
      expect(deliveries.filter((w) => w.webhookId === eventId)).toHaveLength(2);
    });

    it('replays a time window to the endpoint and shows the count', async () => {
      const { page } = session;
      await page.getByRole('link', { name: 'Replay', exact: true }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Replay' }));
      await page.getByLabel('Endpoint').selectOption({ label: ctx.receiver.url('portal-hook') });
      await page.getByRole('button', { name: 'Replay window' }).click();
      await visible(page.getByText(/Replay requested for 1 delivery across 1 events/));
      await screenshot(page, 'replay');
    });

    it('rotates the secret, sends a test event and disables the endpoint', async () => {
      const { page } = session;
      await page.getByRole('link', { name: 'Endpoints' }).click();
      await page.getByRole('link', { name: ctx.receiver.url('portal-hook') }).click();
      // Its backlog (adrs/0011): nothing waits on a healthy endpoint.
      await visible(page.getByText('none waiting'));
      await visible(page.getByRole('heading', { level: 1, name: 'Endpoint' }));
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await visible(page.getByText(/New signing secret/));
      expect(await page.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);
      // v1a: choose both schemes; the page shows the public key, never a private one
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Signatures').selectOption('v1,v1a');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await visible(page.getByText('Saved.'));
      await visible(page.getByText(/^whpk_[A-Za-z0-9+/]{43}=$/));
      await visible(page.getByRole('link', { name: 'key set (JWKS)' }));
      expect(await page.content()).not.toContain('whsk_');
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByRole('link', { name: 'See its delivery' }).click();
      await visible(page.getByText('herald.endpoint.test'));
      await visible(page.getByRole('cell', { name: 'HTTP 200' }), PIPELINE_MS);
      await page.goBack();
      await visible(page.getByRole('heading', { level: 1, name: 'Endpoint' }));
      await page.getByRole('button', { name: 'Disable' }).click();
      await visible(page.getByText('Endpoint disabled.'));
      await visible(page.getByText('Disabled', { exact: true }));
      await screenshot(page, 'endpoint');
      expect(session.problems).toEqual([]);
    });

    it('shows the event catalog where the deployment has one, and says so where it has none', async () => {
      const { page } = session;
      await page.getByRole('link', { name: 'Event types' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Event types' }));
      await visible(page.getByText(/no event catalog|Schema and examples|catalog is empty/));
      await screenshot(page, 'event-types');
    });

    it('reads at phone width', async () => {
      const phone = await browser({ width: 390, height: 844 });
      await openLink(phone.page, await portalLink(tenantId));
      await visible(phone.page.getByRole('link', { name: ctx.receiver.url('portal-hook') }));
      const overflow = await phone.page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(phone.page, 'phone');
      expect(phone.problems).toEqual([]);
    });
  });

  describe('links that cannot open a session', () => {
    it('shows a clear page for an expired link', async () => {
      const url = await portalLink(uniqueTenant('expired'), 1);
      // The link lives 1 s (expiry in whole seconds): after 2 s it has expired whatever the rounding.
      await new Promise((r) => setTimeout(r, 2_000));
      const { page } = await browser();
      await openLink(page, url);
      await visible(page.getByRole('heading', { level: 1, name: 'This link has expired' }));
      await visible(page.getByText(/Ask the team that sent it for a new one/));
      expect(page.url()).not.toContain('token');
      expect(await page.getByText(/unauthorized|problem|stack/i).count()).toBe(0);
      await screenshot(page, 'expired-link');
    });

    it('shows a clear page for a used link, and ends a revoked session', async () => {
      const tenantId = uniqueTenant('revoked');
      const created = expectStatus(
        'create portal link',
        await ctx.api.post<{ id: string; url: string }>('/v1/portal-links', { tenantId }),
        201,
      );
      const first = await browser();
      await openLink(first.page, created.url);
      await visible(first.page.getByRole('heading', { level: 1, name: 'Endpoints' }));

      const second = await browser();
      await openLink(second.page, created.url);
      await visible(second.page.getByRole('heading', { level: 1, name: 'This link has already been used' }));

      expect((await ctx.api.request('DELETE', `/v1/portal-links/${created.id}`)).status).toBe(204);
      // The authorizer may remember a verified session for up to 5 s (API.md: revocation within 5 s),
      // so reload until the page is refused, within a bound well past that.
      const ended = first.page.getByRole('heading', { level: 1, name: 'Your session has ended' });
      await waitUntil(
        async () => {
          await first.page.reload();
          await visible(first.page.getByRole('heading', { level: 1 }));
          return ended.count();
        },
        (count) => count === 1,
        { timeoutMs: 20_000, intervalMs: 500, description: 'the revoked session to be refused' },
      );
    });
  });

  describe('tenant isolation', () => {
    it("never shows tenant B's endpoints or events to tenant A's link", async () => {
      const tenantA = uniqueTenant('iso_a');
      const tenantB = uniqueTenant('iso_b');
      const endpointB = await createEndpoint(ctx.api, {
        tenantId: tenantB,
        url: ctx.receiver.url('portal-iso-b'),
        eventTypes: ['*'],
      });
      const eventB = await publishOk(ctx.api, { type: 'iso.secret', tenantId: tenantB, data: { b: true } });
      await createEndpoint(ctx.api, {
        tenantId: tenantA,
        url: ctx.receiver.url('portal-iso-a'),
        eventTypes: ['*'],
      });
      const eventA = await publishOk(ctx.api, { type: 'iso.mine', tenantId: tenantA, data: { a: true } });
      await stored(eventA.id);
      await stored(eventB.id);

      const { page } = await browser();
      await openLink(page, await portalLink(tenantA));
      await visible(page.getByRole('link', { name: ctx.receiver.url('portal-iso-a') }));
      expect(await page.getByText(ctx.receiver.url('portal-iso-b')).count()).toBe(0);

      await page.getByRole('link', { name: 'Events' }).click();
      await visible(page.getByRole('link', { name: eventA.id }));
      expect(await page.getByText(eventB.id).count()).toBe(0);
      expect(await page.getByText('iso.secret').count()).toBe(0);

      await page.goto(`${new URL(page.url()).origin}/portal/#/events/${eventB.id}`);
      await visible(page.getByRole('alert').getByText('Event not found'));
      expect(await page.getByText('"b": true').count()).toBe(0);
      await page.goto(`${new URL(page.url()).origin}/portal/#/endpoints/${endpointB.id}`);
      await visible(page.getByRole('alert').getByText('Endpoint not found'));
    });
  });
});
