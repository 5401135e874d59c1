/**
 * AWS SDK clients, created once per execution environment with default configuration: the SDK reads
 * region, credentials and AWS_ENDPOINT_URL_<SERVICE> from the environment, which is how the local
 * runtime points the same bundles at its emulators.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let dynamo: DynamoDBClient | undefined;
let documents: DynamoDBDocumentClient | undefined;
let sns: SNSClient | undefined;
let sqs: SQSClient | undefined;
let sfn: SFNClient | undefined;
let kms: KMSClient | undefined;

function dynamoClient(): DynamoDBClient {
  dynamo ??= new DynamoDBClient({});
  return dynamo;
}

function documentClient(): DynamoDBDocumentClient {
  documents ??= DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documents;
}

function snsClient(): SNSClient {
  sns ??= new SNSClient({});
  return sns;
}

function sqsClient(): SQSClient {
  // With an explicit endpoint configured, send every call there rather than to the queue URL's host
  // (emulators hand out queue URLs whose hosts do not resolve).
  const explicitEndpoint = Boolean(process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL);
  sqs ??= new SQSClient({ useQueueUrlAsEndpoint: !explicitEndpoint });
  return sqs;
}

function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

function kmsClient(): KMSClient {
  kms ??= new KMSClient({});
  return kms;
}

export { documentClient, dynamoClient, kmsClient, sfnClient, snsClient, sqsClient };
