import { describe, expect, it } from 'vitest';
import { receiversOf } from '../../../../lambdas/webhooks/matching.js';

const ep = (
  id: string,
  extra: { eventTypes?: string[]; enabled?: boolean; filter?: Record<string, unknown> } = {},
) => ({
  id,
  eventTypes: extra.eventTypes ?? ['order.*'],
  enabled: extra.enabled ?? true,
  ...(extra.filter !== undefined ? { filter: extra.filter } : {}),
});

describe('receiversOf with payload filters', () => {
  const event = { type: 'order.placed', tenantId: 't_1', data: { currency: 'EUR' } };

  it('splits subscribed endpoints into deliver, skip (disabled) and filtered', () => {
    const endpoints = [
      ep('plain'),
      ep('eur', { filter: { data: { currency: ['EUR'] } } }),
      ep('usd', { filter: { data: { currency: ['USD'] } } }),
      ep('eur-off', { enabled: false, filter: { data: { currency: ['EUR'] } } }),
      ep('usd-off', { enabled: false, filter: { data: { currency: ['USD'] } } }),
      ep('invoices', { eventTypes: ['invoice.*'], filter: { data: { currency: ['USD'] } } }),
    ];
    const { deliver, skip, filtered } = receiversOf(endpoints, event);
    expect(deliver.map((e) => e.id)).toEqual(['plain', 'eur']);
    expect(skip.map((e) => e.id)).toEqual(['eur-off']);
    // Only subscribed endpoints count as filtered out: invoices never wanted an order.
    expect(filtered.map((e) => e.id)).toEqual(['usd', 'usd-off']);
  });

  it('passes everything through a stored filter that no longer parses', () => {
    const { deliver } = receiversOf([ep('odd', { filter: { data: { currency: 'EUR' } } })], event);
    expect(deliver.map((e) => e.id)).toEqual(['odd']);
  });

  it('reads the envelope: type and tenantId', () => {
    const endpoints = [
      ep('placed', { filter: { type: ['order.placed'] } }),
      ep('other', { filter: { tenantId: ['t_2'] } }),
    ];
    const { deliver, filtered } = receiversOf(endpoints, event);
    expect(deliver.map((e) => e.id)).toEqual(['placed']);
    expect(filtered.map((e) => e.id)).toEqual(['other']);
  });
});
