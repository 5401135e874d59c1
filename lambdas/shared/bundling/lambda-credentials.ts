/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (an esbuild alias in lib/herald-function.ts).
 * On Lambda the execution role's credentials are always in the environment, so the default chain's
 * SSO, INI, process, web-identity, container and IMDS providers — and the STS/SSO clients they pull
 * in — never run; they cost bundle size and cold-start time for nothing. The local runtime sets the
 * same variables (local/env.ts). Only what the SDK clients import (`defaultProvider`) is provided.
 */

interface EnvCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

class MissingLambdaCredentialsError extends Error {
  override readonly name = 'CredentialsProviderError';
  readonly tryNextLink = false;
}

/** The SDK's default credential provider, reduced to the environment (what Lambda provides). */
function defaultProvider(_init?: unknown): () => Promise<EnvCredentials> {
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new MissingLambdaCredentialsError(
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; a Herald bundle reads credentials from the environment only',
      );
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    const expiry = process.env.AWS_CREDENTIAL_EXPIRATION;
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiry ? { expiration: new Date(expiry) } : {}),
    };
  };
}

export { defaultProvider };
