// The environment every locally run function gets on top of its own template environment.
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const FAKE_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface EmulatorEndpoints {
  readonly sqs: string;
  readonly sns: string;
  readonly dynamodb: string;
  readonly sfn: string;
  /** The local key service (local/kms.ts), when the template has KMS keys. */
  readonly kms?: string;
}

/** SDK v3 reads AWS_ENDPOINT_URL_<SERVICE>, so handlers reach the emulators without knowing it. */
export function emulatorEnvironment(
  endpoints: EmulatorEndpoints,
  region = LOCAL_REGION,
): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    ...(endpoints.kms ? { AWS_ENDPOINT_URL_KMS: endpoints.kms } : {}),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs_local',
  };
}
