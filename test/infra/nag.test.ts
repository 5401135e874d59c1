import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_FORMAT } from '../../lib/events-api.js';
import { suppressNag } from '../../lib/nag.js';
import { heraldForNag, nagFindings } from './support/nag.js';
import { resourcesOf } from './support/template.js';

/**
 * cdk-nag AwsSolutions over the whole app (issue 10 item 9): zero unsuppressed findings, and every
 * suppression carries its reason in code (lib/nag.ts `suppressNag`, next to the resource). A new
 * construct (the portal, a job) is covered automatically: it is part of the stack built here.
 */
describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unsuppressed in the Herald stack', () => {
    expect(nagFindings(heraldForNag())).toEqual([]);
  });

  it('nor with an alarm email subscription', () => {
    expect(nagFindings(heraldForNag({ alarmEmail: 'oncall@example.com' }))).toEqual([]);
  });

  it('does find what it should (the check can fail): a topic without enforceSSL', () => {
    const stack = new Stack(new App(), 'Probe');
    new Topic(stack, 'Plain');
    expect(nagFindings(stack).map((f) => f.rule)).toContain('AwsSolutions-SNS3');
  });

  it('every suppression in the template has a reason of substance', () => {
    const template = Template.fromStack(heraldForNag());
    const resources = template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>;
    const rules = Object.values(resources).flatMap(
      (r) =>
        (r.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] })
          ?.rules_to_suppress ?? [],
    );
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.reason.length, rule.id).toBeGreaterThanOrEqual(40);
  });

  it('suppressNag refuses a suppression without a real reason', () => {
    const stack = new Stack(new App(), 'Probe');
    const topic = new Topic(stack, 'T');
    expect(() => suppressNag(topic, [{ id: 'AwsSolutions-SNS3', reason: 'ok' }])).toThrow(/reason/);
  });
});

describe('what the rules brought', () => {
  const template = Template.fromStack(heraldForNag());

  it('API access logs: JSON with the key id the authorizer resolved, never a header or the key', () => {
    const [[, stage]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage') as [
      [string, Record<string, unknown>],
    ];
    const settings = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(settings.DestinationArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^EventsApiAccessLogs/), 'Arn'],
    });
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FORMAT);
    expect(format.keyId).toBe('$context.authorizer.keyId');
    expect(settings.Format).not.toMatch(/header|authorization|requestBody|\$input/i);
  });

  it('every topic refuses publishers without TLS', () => {
    const topics = resourcesOf(template, 'AWS::SNS::Topic').map(([id]) => id);
    const policies = resourcesOf(template, 'AWS::SNS::TopicPolicy');
    for (const topic of topics) {
      const denies = policies
        .filter(([, p]) => JSON.stringify(p.Topics).includes(topic))
        .flatMap(([, p]) => (p.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
      expect(denies, topic).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('every SQS subscription has a redrive policy to its queue’s DLQ', () => {
    const subscriptions = resourcesOf(template, 'AWS::SNS::Subscription').filter(
      ([, s]) => s.Protocol === 'sqs',
    );
    expect(subscriptions.length).toBeGreaterThanOrEqual(2);
    for (const [id, s] of subscriptions) {
      const target = (
        s.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': [string, string] } } | undefined
      )?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
      expect(target, id).toMatch(/Dlq[0-9A-F]{8}$/);
      // the DLQ of the very queue it feeds
      const endpoint = (s.Endpoint as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(
        endpoint.startsWith(target?.replace(/Dlq[0-9A-F]{8}$/, '') ?? '-'),
        `${id}: ${target} for ${endpoint}`,
      ).toBe(true);
    }
  });
});
