import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseDisableAfter } from '../../lib/webhooks.js';
import { buildHerald, resourceNamed } from './support/template.js';

const envOf = (properties: Record<string, unknown>) =>
  (properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables ?? {};

describe('endpoint health settings (adrs/0007)', () => {
  it.each([
    ['432000', 432_000],
    ['5d', 432_000],
    ['36h', 129_600],
    ['90m', 5_400],
    ['600s', 600],
    [600, 600],
  ])('herald:endpointDisableAfter %s → %i s', (value, seconds) => {
    expect(parseDisableAfter(value)?.toSeconds()).toBe(seconds);
  });

  it.each(['5 days', '-5', '0', '1.5h', 'soon'])('refuses herald:endpointDisableAfter %s', (value) => {
    expect(() => parseDisableAfter(value)).toThrow(/endpointDisableAfter/);
  });

  it('leaves the default when the context is absent', () => {
    expect(parseDisableAfter(undefined)).toBeUndefined();
  });

  it('gives dispatch and attempt the inline timeout, the disable period × time scale, and dispatch the fan-out limit', () => {
    const template = buildHerald({ retryTimeScale: 0.001, endpointDisableAfter: Duration.days(5) });
    const dispatch = envOf(resourceNamed(template, 'AWS::Lambda::Function', 'WebhooksDispatch'));
    const attempt = envOf(resourceNamed(template, 'AWS::Lambda::Function', 'WebhooksAttempt'));
    for (const env of [dispatch, attempt]) {
      expect(env).toMatchObject({
        HERALD_INLINE_TIMEOUT_MS: '1000',
        HERALD_ENDPOINT_DISABLE_AFTER_SECONDS: '432',
      });
      expect(env.HERALD_EVENTS_TOPIC_ARN).toBeDefined();
    }
    expect(dispatch.HERALD_FANOUT_CONCURRENCY).toBe('10');
  });
});
