import { describe, expect, it } from 'vitest';
import { functionNames, kebab, pathNames, queueNames } from '../../local/names.js';

const url = (id: string) => `http://sqs.us-east-1.localhost:1/000000000000/Herald-${id}`;
const queue = (logicalId: string, path: string) => ({ logicalId, path, url: url(logicalId) });

describe('kebab', () => {
  it.each([
    ['Job-invoice', 'job-invoice'],
    ['DispatchQueue', 'dispatch-queue'],
    ['WebhookDlq', 'webhook-dlq'],
    ['EventsApi', 'events-api'],
    ['Ingest', 'ingest'],
  ])('%s → %s', (id, name) => expect(kebab(id)).toBe(name));
});

describe('queueNames', () => {
  const queues = [
    queue('JobinvoiceWorkQueueFD877400', 'Herald/Job-invoice/Work/Queue/Resource'),
    queue('JobinvoiceWorkDlqD8ADE56A', 'Herald/Job-invoice/Work/Dlq/Resource'),
    queue('WebhooksDispatchQueueFE8F3D6E', 'Herald/Webhooks/DispatchQueue/Queue/Resource'),
    queue('WebhooksDispatchQueueDlqF2F1958C', 'Herald/Webhooks/DispatchQueue/Dlq/Resource'),
    queue('WebhooksWebhookDlq5F7FE85C', 'Herald/Webhooks/WebhookDlq/Resource'),
  ];
  const management = {
    HERALD_WEBHOOK_DLQ_URL: url('WebhooksWebhookDlq5F7FE85C'),
    HERALD_QUEUES: JSON.stringify([
      {
        name: 'dispatch',
        url: url('WebhooksDispatchQueueFE8F3D6E'),
        dlqName: 'dispatch-dlq',
        dlqUrl: url('WebhooksDispatchQueueDlqF2F1958C'),
      },
      {
        name: 'job-invoice',
        url: url('JobinvoiceWorkQueueFD877400'),
        dlqName: 'job-invoice-dlq',
        dlqUrl: url('JobinvoiceWorkDlqD8ADE56A'),
      },
    ]),
  };

  it('names every queue the management function lists as the API does', () => {
    expect(Object.fromEntries(queueNames(queues, [{ HERALD_TABLE: 't' }, management]))).toEqual({
      JobinvoiceWorkQueueFD877400: 'job-invoice',
      JobinvoiceWorkDlqD8ADE56A: 'job-invoice-dlq',
      WebhooksDispatchQueueFE8F3D6E: 'dispatch',
      WebhooksDispatchQueueDlqF2F1958C: 'dispatch-dlq',
      WebhooksWebhookDlq5F7FE85C: 'webhook-dlq',
    });
  });

  it('names a queue no function lists after its construct, never a bare "queue"', () => {
    const names = queueNames(
      [...queues, queue('IsolationOverflowQueue0A1B2C3D', 'Herald/Isolation/Overflow/Queue/Resource')],
      [management],
    );
    expect(names.get('IsolationOverflowQueue0A1B2C3D')).toBe('overflow-queue');
  });

  it('falls back to construct paths when no environment lists queues (or the list is malformed)', () => {
    expect(Object.fromEntries(queueNames(queues, [{ HERALD_QUEUES: '{not json' }]))).toEqual({
      JobinvoiceWorkQueueFD877400: 'work-queue',
      JobinvoiceWorkDlqD8ADE56A: 'work-dlq',
      WebhooksDispatchQueueFE8F3D6E: 'dispatch-queue-queue',
      WebhooksDispatchQueueDlqF2F1958C: 'dispatch-queue-dlq',
      WebhooksWebhookDlq5F7FE85C: 'webhook-dlq',
    });
  });
});

describe('functionNames', () => {
  it('names a job function job-<name> and the others after their construct id', () => {
    const fn = (logicalId: string, path: string, environment: Record<string, string> = {}) => ({
      logicalId,
      path,
      environment,
    });
    expect(
      Object.fromEntries(
        functionNames([
          fn('JobinvoiceHandlerDBA6DF19', 'Herald/Job-invoice/Handler/Resource', {
            HERALD_JOB_NAME: 'invoice',
          }),
          fn('WebhooksDispatch6AEB8912', 'Herald/Webhooks/Dispatch/Resource'),
          fn('EventsApiIngestB2300353', 'Herald/EventsApi/Ingest/Resource'),
          fn('EventsApiAuthorizer79399A9F', 'Herald/EventsApi/Authorizer/Resource'),
        ]),
      ),
    ).toEqual({
      JobinvoiceHandlerDBA6DF19: 'job-invoice',
      WebhooksDispatch6AEB8912: 'dispatch',
      EventsApiIngestB2300353: 'ingest',
      EventsApiAuthorizer79399A9F: 'authorizer',
    });
  });
});

describe('pathNames', () => {
  it('takes the parents in where two names would clash, and works without path metadata', () => {
    expect(
      Object.fromEntries(
        pathNames([
          { logicalId: 'PortalHandlerAAAAAAAA', path: 'Herald/Portal/Api/Resource' },
          { logicalId: 'EventsApiApiBBBBBBBB', path: 'Herald/EventsApi/Api/Resource' },
          { logicalId: 'TablesMainBB1D2EBD' },
        ]),
      ),
    ).toEqual({
      PortalHandlerAAAAAAAA: 'portal-api',
      EventsApiApiBBBBBBBB: 'events-api-api',
      TablesMainBB1D2EBD: 'tables-main',
    });
  });
});
