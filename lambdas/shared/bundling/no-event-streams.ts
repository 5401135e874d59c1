/**
 * Bundled in place of `@smithy/core/event-streams` (an esbuild alias in lib/herald-function.ts). The SDK
 * loads that module (a dynamic import in its HttpProtocol) only to encode or decode an operation's
 * event-stream member, and no operation of the clients Herald bundles (DynamoDB, SNS, SQS, KMS, Step
 * Functions) has one: test/unit/bundling.test.ts checks every operation schema of those clients. Should
 * a client with event streams ever be added, the call fails loudly here instead of shipping ~19 KiB
 * to every function.
 */

const reason =
  'Herald bundles no event-stream support (lambdas/shared/bundling/no-event-streams.ts); remove the alias to call an event-stream operation';

class EventStreamSerde {
  constructor() {
    throw new Error(reason);
  }
}

function eventStreamSerdeProvider(): never {
  throw new Error(reason);
}

export { EventStreamSerde, eventStreamSerdeProvider };
