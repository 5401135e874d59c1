/**
 * Herald's domain types in one place: the event, the endpoint, the delivery and its attempts, and an
 * endpoint's health. Stores read and write them, handlers and pure decisions take them; none of them
 * knows how they are stored.
 */

// Events
/** The event as published on SNS and POSTed to webhooks. */
interface HeraldEvent {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly createdAt: string;
  /** The catalog schema version `data` was validated against; absent when the type has no schema. */
  readonly schemaVersion?: number;
  /** Parsed, so numbers past double precision may be rounded: read it, never re-serialise it. */
  readonly data: Record<string, unknown>;
  /** `data` exactly as the producer wrote it (whitespace between tokens dropped), when it came through the API. */
  readonly dataJson?: string;
}

/**
 * `api` for POST /v1/events, `job:<name>` for follow-up events emitted by a job, `herald` for operational
 * events, `test` for POST /v1/endpoints/{id}/test.
 */
type EventSource = 'api' | 'herald' | 'test' | `job:${string}`;

// Endpoints
interface EndpointSecret {
  readonly secret: string;
  readonly createdAt: string;
  /** Epoch seconds after which a rotated-out secret stops signing. */
  readonly expiresAt?: number;
}

/** Which signatures an endpoint's deliveries carry (API.md "Endpoints": `signatureScheme`). */
type SignatureScheme = 'v1' | 'v1a' | 'v1,v1a';
const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['v1', 'v1a', 'v1,v1a'];

function isSignatureScheme(value: unknown): value is SignatureScheme {
  return typeof value === 'string' && (SIGNATURE_SCHEMES as readonly string[]).includes(value);
}

/** v1: HMAC with the endpoint's secrets. */
function usesHmac(scheme: SignatureScheme | undefined): boolean {
  return scheme !== 'v1a';
}

/** v1a: ed25519 with the endpoint's key pairs. */
function usesEd25519(scheme: SignatureScheme | undefined): boolean {
  return scheme === 'v1a' || scheme === 'v1,v1a';
}

/** A v1a key pair of an endpoint (adrs/0009); the secret key is sealed at rest and never answered. */
interface EndpointSigningKey {
  /** `whsk_...` */
  readonly secretKey: string;
  /** `whpk_...` */
  readonly publicKey: string;
  /** RFC 7638 thumbprint: the key's `kid` in the tenant's key set. */
  readonly kid: string;
  readonly createdAt: string;
  /** Epoch seconds after which a rotated-out key stops signing. */
  readonly expiresAt?: number;
}

interface EndpointRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly eventTypes: string[];
  readonly description?: string;
  readonly rateLimit?: number;
  readonly enabled: boolean;
  /** Set when Herald disabled the endpoint itself (adrs/0007): `all_attempts_failed`. */
  readonly disabledReason?: string;
  readonly disabledAt?: string;
  /** A payload filter (EventBridge event-pattern syntax, adrs/0010), as the client wrote it. */
  readonly filter?: Record<string, unknown>;
  readonly secrets: EndpointSecret[];
  /** @default 'v1' */
  readonly signatureScheme?: SignatureScheme;
  /** v1a key pairs, newest first; they sign only while `signatureScheme` includes v1a. */
  readonly signingKeys: EndpointSigningKey[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A v1a key as the API shows it: the public half only. */
interface EndpointPublicKey {
  readonly kid: string;
  readonly publicKey: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
}

/** The public view: never any secret or secret key; with v1a, the public keys that sign now. */
type EndpointView = Omit<EndpointRecord, 'secrets' | 'signingKeys' | 'signatureScheme'> & {
  readonly signatureScheme: SignatureScheme;
  readonly publicKey?: string;
  readonly publicKeys?: EndpointPublicKey[];
};

// Deliveries and their attempts
/** What set a wait: the schedule's (jittered) step, or the receiver's longer Retry-After. */
type WaitReason = 'schedule' | 'retry_after';

type DeliveryState = 'pending' | 'delivered' | 'retrying' | 'failed' | 'skipped';

type AttemptOutcome = 'delivered' | 'retrying' | 'failed';

interface DeliveryRecord {
  readonly eventId: string;
  readonly endpointId: string;
  readonly tenantId: string;
  readonly state: DeliveryState;
  readonly generation: number;
  /** Attempts made in the current generation. */
  readonly attempts: number;
  readonly lastStatusCode?: number;
  readonly lastError?: string;
  readonly nextAttemptAt?: string;
  readonly deliveredAt?: string;
  /** When dispatch or the retry watch sent the failed delivery to the webhook DLQ (the workflow's own sends are not tracked). */
  readonly deadLetteredAt?: string;
  /** While `pending`: until when the claimer's first attempt owns the delivery (a lease). */
  readonly claimedUntil?: string;
  /** While in its endpoint's backlog (adrs/0011): when it was parked, the start of its lifetime there. */
  readonly parkedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Not in the table yet: dispatch's claim folded into the event record (adrs/0014). Its first state
   * change writes the whole item, so a first delivery costs one write, not a claim and an outcome.
   */
  readonly unstored?: true;
}

interface AttemptRecord {
  readonly eventId: string;
  readonly endpointId: string;
  readonly generation: number;
  readonly attempt: number;
  readonly at: string;
  readonly statusCode?: number;
  readonly errorClass?: string;
  readonly durationMs: number;
  readonly outcome: AttemptOutcome;
  readonly nextAttemptAt?: string;
  /**
   * What set `nextAttemptAt`: the retry schedule, or the receiver's Retry-After (longer than the
   * schedule's step, capped at 6 h).
   */
  readonly waitReason?: WaitReason;
  /** A 3xx answer's Location header: redirects are not followed, this is where the receiver pointed. */
  readonly location?: string;
  /** The first 1 KiB of the receiver's answer, as text. */
  readonly responseBody?: string;
}

// Endpoint health (the breaker's state, adrs/0007)
type BreakerState = 'closed' | 'open';

type OpenReason = 'timeout' | 'failures' | 'slow';

interface EndpointHealth {
  readonly state: BreakerState;
  /** Consecutive failed attempts (both lanes); 0 after any success. */
  readonly failureStreak: number;
  /** First failure of the current streak (ISO); absent while the streak is 0. */
  readonly failingSince?: string;
  readonly lastFailureAt?: string;
  readonly openedAt?: string;
  readonly openReason?: OpenReason;
  /** A receiver's `Retry-After` holds the whole endpoint until then (ISO). */
  readonly holdUntil?: string;
  /** `herald.endpoint.failing` was sent for this streak (so `recovered` follows it, once). */
  readonly failingNotified: boolean;
  /** When this breaker asked for the endpoint to be disabled (it is reset when re-enabled). */
  readonly disabledAt?: string;
  /** The last success that ended a streak: failures of attempts started before it are stale. */
  readonly recoveredAt?: string;
}

const HEALTHY: EndpointHealth = Object.freeze({ state: 'closed', failureStreak: 0, failingNotified: false });

/** Every field of an endpoint's health: what `sameHealth` compares and the store writes. */
const HEALTH_FIELDS = [
  'state',
  'failureStreak',
  'failingSince',
  'lastFailureAt',
  'openedAt',
  'openReason',
  'holdUntil',
  'failingNotified',
  'disabledAt',
  'recoveredAt',
] as const satisfies readonly (keyof EndpointHealth)[];

export type {
  AttemptOutcome,
  AttemptRecord,
  BreakerState,
  DeliveryRecord,
  DeliveryState,
  EndpointHealth,
  EndpointPublicKey,
  EndpointRecord,
  EndpointSecret,
  EndpointSigningKey,
  EndpointView,
  EventSource,
  HeraldEvent,
  OpenReason,
  SignatureScheme,
  WaitReason,
};
export { HEALTH_FIELDS, HEALTHY, isSignatureScheme, SIGNATURE_SCHEMES, usesEd25519, usesHmac };
