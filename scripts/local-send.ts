/**
 * Puts messages on a queue or topic of the running local runtime, for drills: a poison message straight
 * to the events topic (as a producer bypassing the API would), a record on a work queue or a DLQ. Reads
 * the endpoints from .herald/local.json (written by `npm start`); needs no AWS CLI.
 *
 *   npm run -s local:send -- --topic events --attributes type=order.placed,tenantId=t_1 --body '{"old":"shape"}'
 *   npm run -s local:send -- --queue job-invoice --body '{"id":"evt_1",...}' --count 100
 *
 * `--queue` takes a name as `herald dlq list` and local.json show them (job-invoice, dispatch-dlq, ...);
 * `--topic` a part of the topic's name (case-insensitive; `events` finds the events topic). Attributes
 * are String message attributes: the job subscriptions filter on `type`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

interface LocalState {
  readonly sqsEndpoint: string;
  readonly snsEndpoint: string;
  readonly region?: string;
  readonly queues?: Readonly<Record<string, string>>;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function fail(message: string): never {
  process.stderr.write(`local-send: ${message}\n`);
  process.exit(2);
}

function attributesOf(raw: string | undefined) {
  if (raw === undefined || raw === '') return {};
  return Object.fromEntries(
    raw.split(',').map((pair) => {
      const [name, ...rest] = pair.split('=');
      if (!name || rest.length === 0) fail(`--attributes takes name=value pairs, not "${pair}"`);
      return [name.trim(), { DataType: 'String', StringValue: rest.join('=') }];
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      queue: { type: 'string' },
      topic: { type: 'string' },
      body: { type: 'string' },
      attributes: { type: 'string' },
      count: { type: 'string', default: '1' },
    },
  });
  if ((values.queue === undefined) === (values.topic === undefined))
    fail('give --queue <name> or --topic <name>');
  if (values.body === undefined) fail('--body is required');
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    fail('--count must be an integer from 1 to 100000');
  let state: LocalState;
  try {
    state = JSON.parse(readFileSync(join(process.cwd(), '.herald', 'local.json'), 'utf8')) as LocalState;
  } catch {
    fail('no .herald/local.json here: start the local runtime (npm start) in this directory first');
  }
  const region = state.region ?? 'us-east-1';
  const attributes = attributesOf(values.attributes);
  if (values.queue !== undefined) {
    const url = state.queues?.[values.queue];
    if (url === undefined)
      fail(`no queue ${values.queue}; one of: ${Object.keys(state.queues ?? {}).join(', ')}`);
    const sqs = new SQSClient({ endpoint: state.sqsEndpoint, region, credentials: CREDENTIALS });
    for (let i = 0; i < count; i += 1) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: values.body, MessageAttributes: attributes }),
      );
    }
    sqs.destroy();
    process.stdout.write(`sent ${count} to queue ${values.queue}\n`);
    return;
  }
  const sns = new SNSClient({ endpoint: state.snsEndpoint, region, credentials: CREDENTIALS });
  const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
  const wanted = (values.topic ?? '').toLowerCase();
  const matches = Topics.map((t) => t.TopicArn ?? '').filter((arn) =>
    arn.split(':').pop()?.toLowerCase().includes(wanted),
  );
  if (matches.length !== 1)
    fail(
      `--topic ${values.topic} matches ${matches.length} topics: ${Topics.map((t) => t.TopicArn).join(', ')}`,
    );
  for (let i = 0; i < count; i += 1) {
    await sns.send(
      new PublishCommand({ TopicArn: matches[0], Message: values.body, MessageAttributes: attributes }),
    );
  }
  sns.destroy();
  process.stdout.write(`published ${count} to ${matches[0]}\n`);
}

await main();
