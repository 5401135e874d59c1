/**
 * The endpoint page's chart of the last 24 hours and "Deliver what was missed" in a real browser
 * (issue 19, items 4 and 6): a tenant's developer sees what the endpoint delivered as a named chart with
 * its totals in words, then, on the endpoint they had disabled, counts what it missed (a dry run of
 * `POST /v1/replay`), enables it and delivers those through its backlog in one click; the receiver gets
 * each skipped event. Driven by role and text, as a person reads the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, expectStatus, publishOk, uniqueTenant } from '../support/fixtures.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { waitUntil } from '../support/wait.js';
import { type BrowserSession, chromiumMissing, openBrowser, screenshot, visible } from './browser.js';

const ctx = useHerald({ timeScale: 0.001 });
/** Bounds waits on the pipeline (a delivery, a drain); not a speed claim. */
const PIPELINE_MS = 60_000;
const skip = receiverUnreachable('portal activity') || chromiumMissing();

interface ActivityBody {
  hours: { hour: string; delivered: number; failed: number; backlog: number }[];
}

describe.skipIf(skip)('portal: endpoint activity and what it missed', () => {
  const tenantId = uniqueTenant('pmissed');
  let session: BrowserSession;
  let endpointId: string;
  const skipped: string[] = [];

  const order = (orderId: string) =>
    publishOk(ctx.api, {
      type: 'order.placed',
      tenantId,
      data: { orderId, currency: 'EUR', lines: [{ sku: 'A', quantity: 1, unitPrice: 100 }] },
    });

  beforeAll(async () => {
    endpointId = (
      await createEndpoint(ctx.api, {
        tenantId,
        url: ctx.receiver.url('pmissed'),
        eventTypes: ['order.placed'],
      })
    ).id;
    // Two delivered while enabled: the dispatch container's first flush writes at least the first.
    await order('D1');
    await order('D2');
    await waitUntil(
      () => Promise.resolve(ctx.receiver.accepted('pmissed').length),
      (n) => n === 2,
      { timeoutMs: PIPELINE_MS, intervalMs: 100, description: 'two deliveries while enabled' },
    );
    await waitUntil(
      () => ctx.api.get<ActivityBody>(`/v1/endpoints/${endpointId}/activity?hours=2`),
      (r) => r.status === 200 && r.body.hours.some((h) => h.delivered > 0),
      { timeoutMs: PIPELINE_MS, intervalMs: 200, description: 'the activity flush' },
    );
    // Disabled: the next three are kept as skipped.
    expectStatus(
      'disable',
      await ctx.api.request('PATCH', `/v1/endpoints/${endpointId}`, { json: { enabled: false } }),
      200,
    );
    // Dispatch's endpoint list is cached for 5 s (docs/internals.md "What is cached").
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    for (const id of ['S1', 'S2', 'S3']) skipped.push((await order(id)).id);
    for (const id of skipped) {
      await waitUntil(
        () => ctx.api.get<{ deliveries?: { endpointId: string; state: string }[] }>(`/v1/events/${id}`),
        (r) => r.status === 200 && (r.body.deliveries ?? []).some((d) => d.state === 'skipped'),
        { timeoutMs: PIPELINE_MS, intervalMs: 100, description: `event ${id} skipped` },
      );
    }
    session = await openBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('shows the chart, counts what the disabled endpoint missed, enables it and drains it', async () => {
    const { page } = session;
    const link = expectStatus(
      'portal link',
      await ctx.api.post<{ url: string }>('/v1/portal-links', { tenantId }),
      201,
    );
    await page.goto(link.url);
    await page.getByRole('button', { name: 'Open the portal' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Endpoints' }));
    await page.getByRole('link', { name: ctx.receiver.url('pmissed') }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Endpoint' }));

    // The chart: named, with its totals as text.
    await visible(page.getByRole('img', { name: /^Activity of the last 24 hours/ }));
    const summary = page.getByRole('note', { name: 'Activity summary' });
    await visible(summary);
    expect(await summary.textContent()).toMatch(
      /last 24 h: [1-9][\d,]* delivered, 0 failed, backlog peak \d+/,
    );

    // What was missed: counted first (nothing sent), then delivered through the backlog.
    const missed = page.getByRole('region', { name: 'Deliver what was missed' });
    await visible(missed);
    await missed.getByRole('button', { name: 'Count missed deliveries' }).click();
    const counted = missed.getByRole('status', { name: 'Missed deliveries' });
    await visible(counted.getByText(/^3 deliveries skipped or failed since .+, across 3 events\.$/));
    expect(ctx.receiver.accepted('pmissed')).toHaveLength(2);
    await screenshot(page, 'endpoint-missed-count');

    await missed.getByRole('button', { name: 'Enable and deliver 3 deliveries' }).click();
    await visible(
      missed.getByText(/^3 deliveries queued through the backlog: delivered gently, oldest first\./),
    );
    await waitUntil(
      () => Promise.resolve(ctx.receiver.accepted('pmissed').map((r) => r.webhookId)),
      (ids) => skipped.every((id) => ids.includes(id)),
      { timeoutMs: PIPELINE_MS, intervalMs: 200, description: 'the three skipped events delivered' },
    );
    const endpoint = expectStatus(
      'read endpoint',
      await ctx.api.get<{ enabled: boolean }>(`/v1/endpoints/${endpointId}`),
      200,
    );
    expect(endpoint.enabled).toBe(true);
    for (const id of skipped) {
      await waitUntil(
        () => ctx.api.get<{ deliveries?: { state: string }[] }>(`/v1/events/${id}`),
        (r) => (r.body.deliveries ?? []).some((d) => d.state === 'delivered'),
        { timeoutMs: PIPELINE_MS, intervalMs: 100, description: `event ${id} recorded delivered` },
      );
    }
    // The section stays on the re-enabled endpoint: counting again finds nothing left.
    await missed.getByRole('button', { name: 'Count missed deliveries' }).click();
    await visible(counted.getByText(/^Nothing was skipped or failed since /));
    await screenshot(page, 'endpoint-activity');
    // Opened again, the page shows the backlog drained and the endpoint enabled.
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: 'Endpoint' }));
    await visible(page.getByText('none waiting'));
    await visible(page.getByText('Enabled', { exact: true }));
    expect(session.problems).toEqual([]);
  });
});
