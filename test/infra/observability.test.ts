import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHerald, joinWithPlaceholders, resourcesOf } from './support/template.js';

const WIDGET_TITLES = [
  'Queue depth',
  'Age of oldest message',
  'DLQ depth',
  'Jobs per second',
  'Webhook retries',
  'Delivery success',
  'Delivery latency',
];

interface Widget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: unknown[][] };
}

describe('observability', () => {
  let template: Template;
  let widgets: Widget[];

  beforeAll(() => {
    template = buildHerald({ alarmEmail: 'oncall@example.com' });
    const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.parse(joinWithPlaceholders(dashboards[0]![1].DashboardBody)) as { widgets: Widget[] };
    widgets = body.widgets;
  });

  const widget = (title: string): Widget => {
    const found = widgets.find((w) => w.properties.title?.startsWith(title));
    if (!found) throw new Error(`No widget titled ${title}`);
    return found;
  };

  it('has one dashboard with every widget the runbooks point at', () => {
    const titles = widgets.map((w) => w.properties.title).filter((t) => t !== undefined);
    for (const title of WIDGET_TITLES)
      expect(
        titles.some((t) => t.startsWith(title)),
        title,
      ).toBe(true);
  });

  it('graphs every work queue and every DLQ', () => {
    const metrics = (title: string): string => JSON.stringify(widget(title).properties.metrics);
    for (const title of ['Queue depth', 'Age of oldest message']) {
      expect(metrics(title), title).toMatch(/TOKEN\(WebhooksDispatchQueue[0-9A-F]{8}\)/);
      expect(metrics(title), title).toMatch(/TOKEN\(JobinvoiceWorkQueue[0-9A-F]{8}\)/);
    }
    const dlq = metrics('DLQ depth');
    for (const queue of ['WebhooksDispatchQueueDlq', 'JobinvoiceWorkDlq', 'WebhooksWebhookDlq']) {
      expect(dlq, queue).toMatch(new RegExp(`TOKEN\\(${queue}[0-9A-F]{8}\\)`));
    }
  });

  it('reads Herald metrics from the Herald namespace', () => {
    const latency = JSON.stringify(widget('Delivery latency').properties.metrics);
    expect(latency).toContain('"Herald","DeliveryLatency"');
    for (const stat of ['p50', 'p95', 'p99']) expect(latency).toContain(`"stat":"${stat}"`);
  });

  it('subscribes the alarm email to the alarm topic', () => {
    const [topicId] = resourcesOf(template, 'AWS::SNS::Topic').find(
      ([, t]) => t.DisplayName === 'Herald alarms',
    )!;
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId },
    });
  });

  it('exports the names other tools look up', () => {
    for (const output of [
      'MainTableName',
      'IdempotencyTableName',
      'EventsTopicArn',
      'DispatchQueueUrl',
      'WebhookDlqUrl',
      'RetryStateMachineArn',
      'AlarmTopicArn',
      'DashboardName',
      'ApiUrl',
    ]) {
      expect(Object.keys(template.findOutputs(output)), output).toHaveLength(1);
    }
  });
});
