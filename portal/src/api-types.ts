// Generated from openapi/openapi.json by `npm run portal:types` (openapi-typescript). Do not edit.
export interface paths {
    "/v1/dlq": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every DLQ with depth and age of a waiting message (admin) */
        get: operations["listDeadLetterQueues"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dlq/{name}/hold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Hold a page of messages hidden for holdSeconds, with receipt handles, for an export or a purge (admin) */
        post: operations["holdDeadLetterMessages"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dlq/{name}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Peek messages without removing them (admin) */
        get: operations["peekDeadLetterQueue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dlq/{name}/purge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete exactly the held messages named by their receipt handles (admin) */
        post: operations["purgeDeadLetterMessages"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dlq/{name}/redrive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move messages back to the source queue (admin) */
        post: operations["redriveDeadLetterQueue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dlq/{name}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make held messages visible again now (admin) */
        post: operations["releaseDeadLetterMessages"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dlq/{name}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read the whole DLQ and count it by reason, error class, job, endpoint, type and tenant (admin) */
        get: operations["deadLetterQueueStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a tenant's endpoints */
        get: operations["listEndpoints"];
        put?: never;
        /**
         * Create a webhook endpoint; the secret is shown here and on rotation only
         * @description A tenant has at most 50 endpoints by default (`herald:maxEndpointsPerTenant`): past it, `403 limit_exceeded` with `limit` and `current`.
         */
        post: operations["createEndpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An endpoint (never its secret) */
        get: operations["getEndpoint"];
        put?: never;
        post?: never;
        /** Delete an endpoint */
        delete: operations["deleteEndpoint"];
        options?: never;
        head?: never;
        /** Change url, eventTypes, description, rateLimit or enabled */
        patch: operations["updateEndpoint"];
        trace?: never;
    };
    "/v1/endpoints/{id}/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The endpoint's hourly activity: delivered, failed and the backlog, one row an hour
         * @description The last `hours` hours ending with the current one, oldest first, every hour present (zeros where nothing happened): deliveries that ended `delivered` or `failed` in the hour, and `backlog`, the largest backlog a recovery step saw in it (0 when none looked). Counted per container and written at most once a minute (no write per delivery), so it is telemetry for a chart, not the delivery record: a container retired before its next flush loses what it counted since the last one. Kept 48 hours.
         */
        get: operations["getEndpointActivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/filter-preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * How many of the tenant's recent events of the subscribed types a candidate filter would let through
         * @description Checks the filter as a save would (`400 invalid_filter`), then runs it over the tenant's most recent events of the endpoint's event types, newest first. Saves nothing.
         */
        post: operations["previewEndpointFilter"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * New signing secret (and key pair with v1a); the old ones keep signing for the grace period (at most 2 active)
         * @description At most 2 secrets sign at once: rotating while the previous secret is still in its grace period answers 403 limit_exceeded (with `limit`), unless `expireCurrentNow` is true, which drops every old secret at once (for a leaked secret). With `signatureScheme` `v1a` or `v1,v1a`, the endpoint's ed25519 key pair is rotated by the same rules in the same call: the answer has the new `publicKey` and `kid`, the old key signs beside the new one until `previousKeyExpiresAt`, and `expireCurrentNow` drops it from signatures and from the tenant's key set from this answer on.
         */
        post: operations["rotateEndpointSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a test event (`herald.endpoint.test`) to this endpoint only (admin or tenant) */
        post: operations["sendTestEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the catalog: Herald's own types first, then registered ones by name (any role) */
        get: operations["listEventTypes"];
        put?: never;
        /** Register an event type, optionally with a JSON Schema for `data` (admin) */
        post: operations["createEventType"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-types/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One event type with every schema version (any role; archived types too) */
        get: operations["getEventType"];
        put?: never;
        post?: never;
        /** Archive a type (admin): publishing it answers 400 `event_type_archived`; its history stays readable */
        delete: operations["archiveEventType"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-types/{name}/schema": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Add a schema version (admin); refused with 409 `schema_incompatible` and `reasons` unless every event valid under the current version stays valid */
        put: operations["putEventTypeSchema"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a tenant's events by time */
        get: operations["listEvents"];
        put?: never;
        /** Publish an event */
        post: operations["publishEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An event and its delivery summary per endpoint */
        get: operations["getEvent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every delivery attempt of an event */
        get: operations["listDeliveryAttempts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver an event again to every matching endpoint or one */
        post: operations["replayEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish up to 100 events in one request
         * @description Each event is checked and published exactly as POST /v1/events would (limits, schema, Idempotency-Key semantics, per-event commit point); an item that fails never affects another. The answer is always 207 with one item per event, in order, once the request as a whole is valid.
         */
        post: operations["publishEventBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness check (no auth) */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys without secrets (admin) */
        get: operations["listKeys"];
        put?: never;
        /** Mint an API key (admin); the key is shown once */
        post: operations["createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a key: it stops working within 5 s (admin) */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi/webhooks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The catalog as an OpenAPI 3.1 document for receivers: one `webhooks` entry per publishable type (any role) */
        get: operations["exportWebhooks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/portal-links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List portal links without their tokens: an admin sees all, a publisher the links its key minted */
        get: operations["listPortalLinks"];
        put?: never;
        /** Mint a portal magic link for a tenant (admin or publisher); the URL is shown once */
        post: operations["createPortalLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/portal-links/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a portal link and the session it opened: it stops working within 5 s (admin or publisher) */
        delete: operations["revokePortalLink"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/portal-session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's portal session: its tenant and expiry */
        get: operations["getPortalSession"];
        put?: never;
        /** Exchange a portal link's token, once, for a session cookie (no auth: the token is the credential) */
        post: operations["openPortalSession"];
        /** Sign out: end the caller's portal session and clear its cookie */
        delete: operations["endPortalSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replay a tenant's events in a time window
         * @description At most 10 calls per tenant per minute by default (`herald:maxReplayCallsPerMinute`): past it, `429 limit_exceeded` with `Retry-After`. At most 1000 events per call; past that the answer says `truncated: true` (narrow the window).
         */
        post: operations["bulkReplay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's v1a public keys in use, as a JSON Web Key Set (no auth)
         * @description Every ed25519 public key that signs a delivery of one of the tenant's endpoints now (`signatureScheme` with `v1a`; a rotated-out key until its grace period ends). A delivery's `webhook-signature` never carries a v1a signature whose key is not listed here. Needs no API key, so receivers can fetch it and cache it (`Cache-Control: max-age=60`); a tenant without such keys has an empty set.
         */
        get: operations["getTenantKeySet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "herald.delivery.exhausted": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A delivery ended failed (retry schedule exhausted or a permanent failure) and is on the webhook DLQ. */
        post: operations["receive.herald.delivery.exhausted"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "herald.endpoint.disabled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Herald disabled an endpoint whose every attempt failed for the configured period (default 5 days). */
        post: operations["receive.herald.endpoint.disabled"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "herald.endpoint.failing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An endpoint's failure streak crossed the threshold (default 5 consecutive failed attempts). */
        post: operations["receive.herald.endpoint.failing"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "herald.endpoint.recovered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A failing endpoint delivered again. */
        post: operations["receive.herald.endpoint.recovered"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        ApiKey: {
            /** Format: date-time */
            createdAt: string;
            id: string;
            name?: string;
            /** @enum {string} */
            role: "admin" | "publisher" | "tenant";
            tenantId?: string;
            /** @description A publisher key limited to these tenants */
            tenantIds?: string[];
        };
        ApiKeyCreated: components["schemas"]["ApiKey"] & {
            /** @description Shown once */
            key: string;
        };
        ApiKeyInput: {
            name?: string;
            /** @enum {string} */
            role: "admin" | "publisher" | "tenant";
            tenantId?: string;
            /** @description Publisher keys only: the tenants this key may publish for and mint portal links for (instead of one tenantId) */
            tenantIds?: string[];
        };
        Attempt: {
            /** Format: date-time */
            at: string;
            attempt: number;
            durationMs?: number;
            endpointId: string;
            errorClass?: string;
            generation?: number;
            /** @description A 3xx answer's Location header (at most 2048 characters). Redirects are not followed: a 3xx is a failed attempt, retried on the schedule. */
            location?: string;
            /** Format: date-time */
            nextAttemptAt?: string;
            /** @enum {string} */
            outcome: "delivered" | "retrying" | "failed";
            /** @description The first 1024 bytes of the receiver's response body, as text (256 bytes for a delivered, 2xx attempt; a multi-byte character cut at the end shows as U+FFFD) */
            responseBody?: string;
            /** @enum {string} */
            state: "pending" | "delivered" | "retrying" | "failed" | "skipped";
            statusCode?: number;
            /**
             * @description What set nextAttemptAt: the retry schedule, or the receiver's Retry-After when it asked for longer than the schedule's step (honoured up to 6 h). Waits the endpoint as a whole imposes later (a Retry-After hold, the rate limit, the breaker's probe) move the attempt without changing this record.
             * @enum {string}
             */
            waitReason?: "schedule" | "retry_after";
        };
        BatchEventInput: {
            data: Record<string, never>;
            /** @description As the Idempotency-Key header of POST /v1/events: scoped to the tenant, and the same key names the same event on either route */
            idempotencyKey?: string;
            tenantId: string;
            type: string;
        };
        /** @description One item's outcome: what POST /v1/events would have answered for that event alone (its 202 body, or its status and problem document) */
        BatchItemResult: {
            /** Format: date-time */
            createdAt: string;
            id: string;
            /** @constant */
            status: 202;
            tenantId: string;
            type: string;
        } | {
            problem: components["schemas"]["Problem"];
            status: number;
        };
        BatchPublishInput: {
            events: components["schemas"]["BatchEventInput"][];
        };
        BatchPublishResult: {
            /** @description One per event, in request order */
            items: components["schemas"]["BatchItemResult"][];
        };
        BulkReplayDryRun: {
            /** @constant */
            dryRun: true;
            events: number;
            examined: number;
            truncated: boolean;
            wouldReplay: number;
        };
        BulkReplayInput: {
            /** @description Count what would be replayed and send nothing (200 with wouldReplay); takes no delivery budget. */
            dryRun?: boolean;
            endpointId?: string;
            /**
             * Format: date-time
             * @description inclusive
             */
            since: string;
            /** @description Only deliveries in this state; or a list of states (e.g. ["skipped", "failed"]: what an endpoint missed). */
            status?: ("pending" | "delivered" | "retrying" | "failed" | "skipped") | ("pending" | "delivered" | "retrying" | "failed" | "skipped")[];
            tenantId?: string;
            /** @description With endpointId: the deliveries are parked in the endpoint's backlog and drained gently by its recovery (its rateLimit, or a ramp), oldest first, instead of being attempted at once (adrs/0011). Counted against the caller-delivery budget like any replay. */
            throughBacklog?: boolean;
            /**
             * Format: date-time
             * @description exclusive
             */
            until: string;
        };
        /** @description What a DLQ message says about why it is there and what it is about (docs/api.md, Dead-letter queues). */
        DeadLetterFacts: {
            endpointId?: string;
            /** @description The last error's message */
            error?: string;
            /** @description The last error's class: a built-in Error's name (TypeError), a Herald error's code (invalid_request), or http_<status> / timeout for a webhook */
            errorClass?: string;
            eventId?: string;
            job?: string;
            /** @enum {string} */
            reason: "permanent_error" | "retries_exhausted" | "delivery_failed" | "unrecorded";
            tenantId?: string;
            type?: string;
        };
        DeadLetterMessage: {
            /** @description String message attributes. A job record dead-lettered at once (non-retryable error) carries herald-job, herald-error-code, herald-error-class, herald-error and herald-receive-count; one that failed on every receive carries herald-job, herald-error-class, herald-error and herald-retried. */
            attributes?: {
                [key: string]: string;
            };
            body: unknown;
            facts?: components["schemas"]["DeadLetterFacts"];
            messageId: string;
            /** @description SQS ApproximateReceiveCount, this peek included: SQS has no read that does not count, so each peek adds 1. */
            receiveCount: number;
            /** Format: date-time */
            sentAt?: string;
        };
        DeadLetterQueue: {
            depth: number;
            inFlight?: number;
            name: string;
            oldestMessageAgeSeconds?: number;
            sourceQueue: string;
        };
        DeadLetterStats: {
            /** @description Each dimension alone, largest first */
            by?: {
                endpointId?: {
                    count: number;
                    exampleId: string;
                    value: string;
                }[];
                errorClass?: {
                    count: number;
                    exampleId: string;
                    value: string;
                }[];
                job?: {
                    count: number;
                    exampleId: string;
                    value: string;
                }[];
                reason?: {
                    count: number;
                    exampleId: string;
                    value: string;
                }[];
                tenantId?: {
                    count: number;
                    exampleId: string;
                    value: string;
                }[];
                type?: {
                    count: number;
                    exampleId: string;
                    value: string;
                }[];
            };
            /** @description False when the read stopped at its 20 s budget before the DLQ was empty */
            complete?: boolean;
            /** @description Largest first */
            groups: {
                count: number;
                endpointId?: string;
                /** @description The example's last error message */
                error?: string;
                errorClass?: string;
                exampleId: string;
                job?: string;
                reason: string;
                tenantId?: string;
                type?: string;
            }[];
            name?: string;
            /** Format: date-time */
            newestAt?: string;
            /** Format: date-time */
            oldestAt?: string;
            total: number;
        };
        Delivery: {
            attempts?: number;
            /** Format: date-time */
            createdAt?: string;
            /** Format: date-time */
            deliveredAt?: string;
            endpointId: string;
            generation?: number;
            lastError?: string;
            lastStatusCode?: number;
            /** Format: date-time */
            nextAttemptAt?: string;
            /** @enum {string} */
            state: "pending" | "delivered" | "retrying" | "failed" | "skipped";
            /** Format: date-time */
            updatedAt?: string;
        };
        Endpoint: {
            backlog?: components["schemas"]["EndpointBacklog"];
            /** Format: date-time */
            createdAt: string;
            description?: string;
            /** Format: date-time */
            disabledAt?: string;
            /**
             * @description Set when Herald disabled the endpoint itself: `all_attempts_failed` (every attempt failed for the configured period, default 5 days). Cleared when it is enabled again.
             * @example all_attempts_failed
             */
            disabledReason?: string;
            enabled: boolean;
            eventTypes: string[];
            filter?: components["schemas"]["EventFilter"];
            health?: components["schemas"]["EndpointHealth"];
            id: string;
            /** @description With `v1a`: the newest ed25519 public key the endpoint's deliveries are signed with (never a private key) */
            publicKey?: string;
            /** @description With `v1a`: every key that signs now, newest first (two during a rotation's grace period) */
            publicKeys?: components["schemas"]["SigningPublicKey"][];
            rateLimit?: number;
            signatureScheme?: components["schemas"]["SignatureScheme"];
            tenantId: string;
            /** Format: date-time */
            updatedAt: string;
            url: string;
            /** @description On create and PATCH answers only, when a filter is set: the subscribed types it could not be checked against */
            warnings?: components["schemas"]["FilterWarning"][];
        };
        EndpointActivity: {
            endpointId: string;
            hours: components["schemas"]["EndpointActivityHour"][];
        };
        EndpointActivityHour: {
            /** @description The largest backlog a recovery step saw in the hour; 0 when none looked */
            backlog: number;
            /** @description Deliveries that ended delivered in the hour */
            delivered: number;
            /** @description Deliveries that ended failed in the hour (retries exhausted, refused for good) */
            failed: number;
            /**
             * Format: date-time
             * @description The hour's start (UTC)
             * @example 2026-12-07T15:00:00Z
             */
            hour: string;
        };
        /** @description The deliveries waiting while the endpoint is in trouble or disabled (adrs/0011): parked in order, delivered by the endpoint's one recovery when it answers again, at its rateLimit or a gentle ramp. */
        EndpointBacklog: {
            /** @description Parked deliveries (kept with atomic counts; reset when a drain empties the backlog). */
            count: number;
            /** @description True while the endpoint's recovery delivers the backlog. */
            draining: boolean;
            /** @description Parked deliveries that outlived the backlog's lifetime and ended failed (lastError expired_in_backlog), ever; replay them by window with POST /v1/replay. */
            expired?: number;
            /**
             * Format: date-time
             * @description When the oldest parked delivery was parked; absent when none waits.
             */
            oldestAt?: string;
        };
        /** @description The endpoint's delivery health (adrs/0007). `status`: `healthy`; `open` — the breaker keeps deliveries off the dispatcher's inline attempt (they go through the retry workflow); `failing` — a failure streak crossed the threshold (`herald.endpoint.failing` was sent); `held` — a `Retry-After` from the receiver holds every delivery until `heldUntil`. */
        EndpointHealth: {
            /** @enum {string} */
            breaker: "closed" | "open";
            /**
             * Format: date-time
             * @description First failure of the current streak.
             */
            failingSince?: string;
            /** @description Consecutive failed attempts; 0 after any success. */
            failureStreak: number;
            /** Format: date-time */
            heldUntil?: string;
            /** Format: date-time */
            lastFailureAt?: string;
            /** @enum {string} */
            openReason?: "timeout" | "failures" | "slow";
            /** @enum {string} */
            status: "healthy" | "failing" | "open" | "held";
        };
        EndpointInput: {
            description?: string;
            /** @description Omitted: `true` */
            enabled?: boolean;
            /** @description `*` is one dot-separated segment; a lone `*` matches every type */
            eventTypes: string[];
            /** @description Checked against the current schema of every subscribed type: `400 invalid_filter` with `errors` pointing into the filter */
            filter?: components["schemas"]["EventFilter"] | null;
            /** @description deliveries per second */
            rateLimit?: number;
            signatureScheme?: components["schemas"]["SignatureScheme"];
            tenantId?: string;
            /**
             * Format: uri
             * @description https only; must not resolve to private, loopback, link-local, multicast, CGNAT, reserved or metadata addresses
             */
            url: string;
        };
        EndpointPatch: {
            description?: string | null;
            enabled?: boolean;
            eventTypes?: string[];
            /** @description null removes it; changing eventTypes checks the current filter again */
            filter?: components["schemas"]["EventFilter"] | null;
            rateLimit?: number | null;
            signatureScheme?: components["schemas"]["SignatureScheme"];
            /** Format: uri */
            url?: string;
        };
        Event: {
            /** Format: date-time */
            createdAt: string;
            /** @description The event's data as published */
            data: {
                [key: string]: unknown;
            };
            id: string;
            /** @description The catalog schema version `data` was validated against; absent when the type has no schema */
            schemaVersion?: number;
            /** @description `api` or `job:<name>` */
            source?: string;
            tenantId: string;
            type: string;
        };
        EventAccepted: {
            /** Format: date-time */
            createdAt: string;
            id: string;
            tenantId: string;
            type: string;
        };
        /**
         * @description A payload filter in the EventBridge event-pattern syntax (docs/api.md "Payload filters", adrs/0010): fields `type`, `tenantId`, `data` and `$or`; a field maps to an object of fields (all must match) or to an array of conditions (any may match): a string, number, boolean or null, or one of {"prefix"}, {"suffix"}, {"equals-ignore-case"}, {"numeric": [op, n, ...]}, {"exists": bool}, {"anything-but": ...}. At most 4096 bytes as JSON, 8 levels, 150 conditions.
         * @example {
         *       "data": {
         *         "currency": [
         *           "EUR"
         *         ],
         *         "lines": {
         *           "unitPrice": [
         *             {
         *               "numeric": [
         *                 ">=",
         *                 1000
         *               ]
         *             }
         *           ]
         *         }
         *       }
         *     }
         */
        EventFilter: {
            $or?: {
                [key: string]: unknown;
            }[];
            data?: {
                [key: string]: unknown;
            };
            tenantId?: unknown[];
            type?: unknown[];
        };
        EventInput: {
            /** @description Any JSON object; validated against the type's schema when the catalog has one */
            data: {
                [key: string]: unknown;
            };
            tenantId: string;
            type: string;
        };
        EventType: components["schemas"]["EventTypeSummary"] & {
            examples?: {
                [key: string]: unknown;
            }[];
            schema?: components["schemas"]["JsonSchema"];
        };
        EventTypeInput: {
            description: string;
            /** @description Each must validate against `schema` */
            examples?: {
                [key: string]: unknown;
            }[];
            /** @description Not `herald.*` (reserved) nor a built-in name */
            name: string;
            schema?: components["schemas"]["JsonSchema"];
        };
        EventTypeSchemaInput: {
            examples?: {
                [key: string]: unknown;
            }[];
            schema: components["schemas"]["JsonSchema"];
        };
        EventTypeSummary: {
            archived: boolean;
            /** Format: date-time */
            archivedAt?: string;
            /** @description One of Herald's own types (schemas/ in the repository); read-only */
            builtIn: boolean;
            /** Format: date-time */
            createdAt: string;
            description: string;
            name: string;
            /** Format: date-time */
            updatedAt: string;
            /** @description Current schema version; 0 while the type has no schema */
            version: number;
        };
        EventTypeVersion: {
            /** Format: date-time */
            createdAt: string;
            examples?: {
                [key: string]: unknown;
            }[];
            schema: components["schemas"]["JsonSchema"];
            version: number;
        };
        EventTypeWithVersions: components["schemas"]["EventType"] & {
            /** @description Oldest first */
            versions: components["schemas"]["EventTypeVersion"][];
        };
        FilterPreview: {
            /** @description Recent events of the subscribed types examined, newest first (at most `limit`; Herald reads at most 1,000 of the tenant's events to find them) */
            examined: number;
            /** @description The newest matches, at most 5 */
            examples: components["schemas"]["Event"][];
            /** @description How many of those the filter lets through */
            matched: number;
            warnings?: components["schemas"]["FilterWarning"][];
        };
        FilterPreviewInput: {
            /** @description The candidate filter; null previews no filter */
            filter: components["schemas"]["EventFilter"] | null;
            /** @description How many of the most recent events of the subscribed types to examine; omitted: 100 */
            limit?: number;
        };
        /** @description A subscribed type (or wildcard) the filter could not be checked against: no schema, or not in the catalog */
        FilterWarning: {
            eventType: string;
            message: string;
        };
        HeldDeadLetterMessage: components["schemas"]["DeadLetterMessage"] & {
            /** @description Valid until heldUntil: pass it to release or purge */
            receiptHandle: string;
        };
        /** @description One job's run for the event (the runner records it): `completed` with the ids of the events it emitted, `failed` (SQS will retry it), `dead_lettered` (on the job's DLQ). `errorClass` and `error` are shown to admin keys only. */
        JobRun: {
            /** Format: date-time */
            at: string;
            /** @description The receive the run was reported from */
            attempts?: number;
            emitted?: string[];
            error?: string;
            errorClass?: string;
            job: string;
            /** @enum {string} */
            state: "completed" | "failed" | "dead_lettered";
        };
        /** @description A JSON Schema (draft 2020-12) describing an event's `data` */
        JsonSchema: {
            [key: string]: unknown;
        };
        JsonWebKey: {
            /** @constant */
            alg?: "EdDSA";
            /** @constant */
            crv: "Ed25519";
            /** @description RFC 7638 thumbprint */
            kid: string;
            /** @constant */
            kty: "OKP";
            /** @constant */
            use?: "sig";
            /** @description The public key, base64url (RFC 8037) */
            x: string;
        };
        JsonWebKeySet: {
            keys: components["schemas"]["JsonWebKey"][];
        };
        /** @description An event Herald publishes itself to the tenant concerned (types `herald.*`); delivered like any event to endpoints whose `eventTypes` match, never to the endpoint it is about. */
        OperationalEvent: {
            /** Format: date-time */
            createdAt: string;
            data: {
                attempts?: number;
                /** Format: date-time */
                disabledAt?: string;
                disabledReason?: string;
                endpointId: string;
                /** @description herald.delivery.exhausted: the event whose delivery ran out of attempts. */
                eventId?: string;
                eventType?: string;
                /** Format: date-time */
                failingSince?: string;
                failureStreak?: number;
                lastError?: string;
                url?: string;
            };
            id: string;
            tenantId: string;
            /** @enum {string} */
            type: "herald.endpoint.failing" | "herald.endpoint.recovered" | "herald.endpoint.disabled" | "herald.delivery.exhausted";
        };
        Page: {
            items: unknown[];
            nextCursor?: string;
        };
        PointerMessage: {
            message: string;
            /** @description RFC 6901 JSON pointer: into the request for `errors` (`/data/lines/0/quantity`), into the filter for `invalid_filter` (`/data/ammount`), into the new schema for `reasons` */
            pointer: string;
        };
        PortalLink: {
            /** @description The id of the key that minted the link; its session ends within 5 s of that key's revocation */
            createdBy?: string;
            /** Format: date-time */
            expiresAt: string;
            /** @description Link id, for DELETE /v1/portal-links/{id} */
            id: string;
            tenantId: string;
            /** @description Opens the portal; the token is in the fragment and is shown only here */
            url: string;
        };
        PortalLinkInput: {
            /** @description Seconds until the link, and the session it opens, expire; omitted: 3600 */
            expiresIn?: number;
            tenantId: string;
        };
        PortalLinkSummary: {
            /** Format: date-time */
            createdAt: string;
            /** @description The key id that minted it */
            createdBy?: string;
            /** Format: date-time */
            exchangedAt?: string;
            /** Format: date-time */
            expiresAt: string;
            id: string;
            /**
             * @description unused: not opened yet; active: exchanged for a session; expired
             * @enum {string}
             */
            state: "unused" | "active" | "expired";
            tenantId: string;
        };
        PortalSession: {
            /** Format: date-time */
            expiresAt: string;
            tenantId: string;
        };
        PortalSessionInput: {
            /** @description The token from a portal link's fragment (hpl_...) */
            token: string;
        };
        /** @description RFC 9457 problem document */
        Problem: {
            /** @enum {string} */
            code: "invalid_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "payload_too_large" | "unsupported_media_type" | "invalid_url" | "forbidden_address" | "idempotency_key_reused" | "idempotency_key_in_flight" | "unavailable" | "internal_error" | "schema_validation_failed" | "schema_incompatible" | "unknown_event_type" | "event_type_archived" | "limit_exceeded" | "invalid_filter" | "validation_too_costly";
            /** @description With `limit_exceeded`: the count it was measured against (endpoints of the tenant, bulk replays this minute) */
            current?: number;
            detail?: string;
            /** @description With `schema_validation_failed`: where `data` (or an example) fails its schema, most specific first, at most 20; with `invalid_filter`: where the filter is malformed or cannot match the subscribed types’ schemas, the pointer into the filter (`/data/amount/0`); with `validation_too_costly`: where validation stopped in `data` (or, when it stopped on too many errors, the first errors found) */
            errors?: components["schemas"]["PointerMessage"][];
            instance?: string;
            /** @description With `limit_exceeded`: the limit's value; with `validation_too_costly`: the event's budget of checks */
            limit?: number;
            /** @description With `limit_exceeded`: which limit (`endpointsPerTenant`, `replayCallsPerMinute`; docs/api.md "Limits"); with `validation_too_costly`: `validationChecks` */
            limitName?: string;
            /** @description With `schema_incompatible`: why the new schema would refuse events the current one accepts */
            reasons?: components["schemas"]["PointerMessage"][];
            /** @description With a 429 `limit_exceeded`: seconds until the call is allowed again (also the `Retry-After` header) */
            retryAfterSeconds?: number;
            /** @description With `validation_too_costly`: the subschema being applied when validation stopped (RFC 6901 pointer into the type's schema) */
            schemaPointer?: string;
            status: number;
            title: string;
            type: string;
        } & {
            [key: string]: unknown;
        };
        ReplayResult: {
            /** @description Bulk replay: events of the window the filter kept (each got at least one redelivery) */
            events?: number;
            /** @description Bulk replay: events of the window read, kept or not */
            examined?: number;
            failed?: number;
            replayed: number;
            /** @description Bulk replay stopped because the tenant's caller-triggered delivery budget ran out; it refills in this many seconds */
            retryAfterSeconds?: number;
            /** @description The window has more: 1000 kept events, 20,000 read or 15 s of reading reached; replay the rest */
            truncated?: boolean;
        };
        /**
         * @description Which Standard Webhooks signatures the endpoint's deliveries carry in `webhook-signature`: `v1` (HMAC-SHA256 with the endpoint's `whsec_` secret), `v1a` (ed25519 with a key pair Herald generates and never reveals; receivers verify with `publicKey` or the tenant's key set), or both, space-separated (for a migration).
         * @default v1
         * @enum {string}
         */
        SignatureScheme: "v1" | "v1a" | "v1,v1a";
        SigningPublicKey: {
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: date-time
             * @description A rotated-out key signs beside the new one until then
             */
            expiresAt?: string;
            /** @description RFC 7638 thumbprint of the key: its `kid` in the tenant's key set */
            kid: string;
            /** @description The ed25519 public key, Standard Webhooks form (base64 of 32 bytes) */
            publicKey: string;
        };
    };
    responses: {
        /** @description Any other error, as an RFC 9457 problem document with a stable `code` (e.g. `internal_error`, `unavailable`) */
        Problem: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Invalid request (`invalid_request`, `invalid_url`, `forbidden_address`) */
        Problem400: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Missing, malformed, unknown or revoked API key (`unauthorized`) */
        Problem401: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The key's role may not do this (`forbidden`) */
        Problem403: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Not found, or another tenant's (`not_found`) */
        Problem404: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Conflict (`conflict`, `idempotency_key_in_flight`) */
        Problem409: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Body over 256 KiB (`payload_too_large`) */
        Problem413: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Content-Type is not application/json (`unsupported_media_type`) */
        Problem415: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Idempotency-Key reused with another body (`idempotency_key_reused`); `validation_too_costly` when validating `data` against its type's schema needs more checks than the event's budget (docs/api.md "Event types"), with `errors`, `limit` and `schemaPointer` */
        Problem422: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Too Many Requests: a rate limit (`limit_exceeded`, e.g. bulk replays per tenant per minute); retry after `Retry-After` seconds */
        Problem429: {
            headers: {
                /** @description Seconds until the call is allowed again */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Temporarily unavailable, retry (`unavailable`) */
        Problem503: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listDeadLetterQueues: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description DLQs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["DeadLetterQueue"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            default: components["responses"]["Problem"];
        };
    };
    holdDeadLetterMessages: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description DLQ name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default 120 */
                    holdSeconds?: number;
                    /** @default 100 */
                    limit?: number;
                };
            };
        };
        responses: {
            /** @description The held page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        heldUntil: string;
                        items: components["schemas"]["HeldDeadLetterMessage"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
        };
    };
    peekDeadLetterQueue: {
        parameters: {
            query?: {
                /** @description 1-100 (default 10) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description DLQ name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["DeadLetterMessage"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    purgeDeadLetterMessages: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description DLQ name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    receiptHandles: string[];
                };
            };
        };
        responses: {
            /** @description Deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deleted: number;
                        failed: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
        };
    };
    redriveDeadLetterQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description DLQ name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default 100 */
                    limit?: number;
                };
            };
        };
        responses: {
            /** @description Moved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        failed: number;
                        moved: number;
                        sourceQueue?: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    releaseDeadLetterMessages: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description DLQ name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    receiptHandles: string[];
                };
            };
        };
        responses: {
            /** @description Released */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        released: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
        };
    };
    deadLetterQueueStats: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description DLQ name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The summary */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetterStats"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    listEndpoints: {
        parameters: {
            query?: {
                /** @description Opaque cursor from a previous page's `nextCursor` */
                cursor?: string;
                /** @description Page size, 1-100 (default 50) */
                limit?: number;
                /** @description The tenant (required for admin keys; a tenant key defaults to its own) */
                tenantId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of endpoints */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page"] & {
                        items?: components["schemas"]["Endpoint"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    createEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EndpointInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"] & {
                        secret: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    getEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Endpoint id (ep_...) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The endpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    deleteEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    updateEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EndpointPatch"];
            };
        };
        responses: {
            /** @description Updated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    getEndpointActivity: {
        parameters: {
            query?: {
                /** @description How many hours, ending with the current one (outside 1–48: `400 invalid_request`, `field: "hours"`) */
                hours?: number;
            };
            header?: never;
            path: {
                /** @description Endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One row an hour, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EndpointActivity"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    previewEndpointFilter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FilterPreviewInput"];
            };
        };
        responses: {
            /** @description The preview */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FilterPreview"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    rotateEndpointSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Stop signing with every old secret now instead of after the grace period
                     * @default false
                     */
                    expireCurrentNow?: boolean;
                };
            };
        };
        responses: {
            /** @description Rotated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description With v1a: the new key's kid */
                        kid?: string;
                        /**
                         * Format: date-time
                         * @description With v1a: when the previous key stops signing (now with expireCurrentNow)
                         */
                        previousKeyExpiresAt?: string;
                        /** Format: date-time */
                        previousSecretExpiresAt?: string;
                        /** @description With v1a: the new public key */
                        publicKey?: string;
                        secret: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
            default: components["responses"]["Problem"];
        };
    };
    sendTestEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored and queued for delivery to this endpoint; read its deliveries at /v1/events/{id}/deliveries */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Event"] & {
                        endpointId: string;
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            429: components["responses"]["Problem429"];
            /** @description Stored but not queued (`unavailable`); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            default: components["responses"]["Problem"];
        };
    };
    listEventTypes: {
        parameters: {
            query?: {
                /** @description Opaque cursor from a previous page's `nextCursor` */
                cursor?: string;
                /** @description Page size, 1-100 (default 50) */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of event types */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page"] & {
                        items?: components["schemas"]["EventTypeSummary"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            default: components["responses"]["Problem"];
        };
    };
    createEventType: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EventTypeInput"];
            };
        };
        responses: {
            /** @description Created (version 1 when a schema was given, else 0) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventType"];
                };
            };
            /** @description Invalid request (among them a schema whose validation work is unbounded: `$ref`s that fan out or recurse in place, a `$ref` into a non-schema, a pattern over 2,000 RE2 instructions, more than 1,000 subschemas or 100 patterns, `uniqueItems` without `maxItems` ≤ 1000, an example that spends an event's budget of checks); `schema_validation_failed` when an example does not match the schema */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    getEventType: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Event type name, e.g. `order.placed` */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The type and its versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventTypeWithVersions"];
                };
            };
            401: components["responses"]["Problem401"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    archiveEventType: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Event type name, e.g. `order.placed` */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Archived */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
            default: components["responses"]["Problem"];
        };
    };
    putEventTypeSchema: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Event type name, e.g. `order.placed` */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EventTypeSchemaInput"];
            };
        };
        responses: {
            /** @description The type with its new current version (unchanged when the schema is the current one) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventType"];
                };
            };
            /** @description Invalid schema, or `schema_validation_failed` for an example */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            /** @description `schema_incompatible` (with `reasons`), a built-in or archived type, or a concurrent change */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    listEvents: {
        parameters: {
            query?: {
                /** @description Opaque cursor from a previous page's `nextCursor` */
                cursor?: string;
                /** @description Page size, 1-100 (default 50) */
                limit?: number;
                /** @description `asc` oldest first (default), `desc` newest first */
                order?: "asc" | "desc";
                /** @description Inclusive lower bound (ISO-8601) */
                since?: string;
                /** @description The tenant (required for admin keys; a tenant key defaults to its own) */
                tenantId?: string;
                /** @description Only events of this type (exact). A filtered page may hold fewer than `limit` items while `nextCursor` is set */
                type?: string;
                /** @description Exclusive upper bound (ISO-8601) */
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page"] & {
                        items?: components["schemas"]["Event"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    publishEvent: {
        parameters: {
            query?: never;
            header?: {
                /** @description Scoped to the tenant; same key + same body answers the same event, another body 422, while in flight 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EventInput"];
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventAccepted"];
                };
            };
            /** @description Invalid request; `schema_validation_failed` (with `errors`) when `data` does not match its type's schema; `unknown_event_type` on a strict deployment; `event_type_archived` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
            413: components["responses"]["Problem413"];
            415: components["responses"]["Problem415"];
            422: components["responses"]["Problem422"];
            503: components["responses"]["Problem503"];
            default: components["responses"]["Problem"];
        };
    };
    getEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Event id (evt_...) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Event"] & {
                        deliveries?: components["schemas"]["Delivery"][];
                        jobs?: components["schemas"]["JobRun"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    listDeliveryAttempts: {
        parameters: {
            query?: {
                /** @description Opaque cursor from a previous page's `nextCursor` */
                cursor?: string;
                /** @description Page size, 1-100 (default 50) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Event id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of attempts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page"] & {
                        deliveries?: components["schemas"]["Delivery"][];
                        items?: components["schemas"]["Attempt"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    replayEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Event id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    endpointId?: string;
                };
            };
        };
        responses: {
            /** @description Redeliveries requested */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReplayResult"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
            429: components["responses"]["Problem429"];
            default: components["responses"]["Problem"];
        };
    };
    publishEventBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchPublishInput"];
            };
        };
        responses: {
            /** @description Multi-status: one result per event, in request order */
            207: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchPublishResult"];
                };
            };
            /** @description The body is not `{ "events": [...] }` with 1 to 100 items, or is nested deeper than 256 levels */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            413: components["responses"]["Problem413"];
            415: components["responses"]["Problem415"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Healthy */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
            /** @description Throttled by the API stage (every route shares its rate limit); API Gateway answers `{"message":"Too Many Requests"}`, not a problem document */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        message: string;
                    };
                };
            };
            default: components["responses"]["Problem"];
        };
    };
    listKeys: {
        parameters: {
            query?: {
                /** @description Opaque cursor from a previous page's `nextCursor` */
                cursor?: string;
                /** @description Page size, 1-100 (default 50) */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page"] & {
                        items?: components["schemas"]["ApiKey"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            default: components["responses"]["Problem"];
        };
    };
    createKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApiKeyInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyCreated"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Key id (key_...) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    exportWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        openapi: string;
                        /** @description One entry per publishable event type, keyed by type name */
                        webhooks: {
                            [key: string]: unknown;
                        };
                    };
                };
            };
            401: components["responses"]["Problem401"];
            default: components["responses"]["Problem"];
        };
    };
    listPortalLinks: {
        parameters: {
            query?: {
                /** @description Opaque cursor from a previous page's `nextCursor` */
                cursor?: string;
                /** @description Page size, 1-100 (default 50) */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of links */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page"] & {
                        items?: components["schemas"]["PortalLinkSummary"][];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            default: components["responses"]["Problem"];
        };
    };
    createPortalLink: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PortalLinkInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortalLink"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    revokePortalLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Link id (pl_...) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    getPortalSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortalSession"];
                };
            };
            401: components["responses"]["Problem401"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    openPortalSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PortalSessionInput"];
            };
        };
        responses: {
            /** @description Session opened; `Set-Cookie: herald_portal_session=...; HttpOnly; SameSite=Strict; Secure` */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortalSession"];
                };
            };
            400: components["responses"]["Problem400"];
            /** @description The link is invalid, expired or already used (`unauthorized`, with `reason`: `link_invalid`, `link_expired`, `link_used`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: components["responses"]["Problem415"];
            default: components["responses"]["Problem"];
        };
    };
    endPortalSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Problem401"];
            404: components["responses"]["Problem404"];
            default: components["responses"]["Problem"];
        };
    };
    bulkReplay: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BulkReplayInput"];
            };
        };
        responses: {
            /** @description Dry run: what would be replayed (nothing sent) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkReplayDryRun"];
                };
            };
            /** @description Redeliveries requested */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReplayResult"];
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            415: components["responses"]["Problem415"];
            429: components["responses"]["Problem429"];
            default: components["responses"]["Problem"];
        };
    };
    getTenantKeySet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant id */
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/jwk-set+json": components["schemas"]["JsonWebKeySet"];
                };
            };
            400: components["responses"]["Problem400"];
            /** @description Throttled by the API stage (every route shares its rate limit); API Gateway answers `{"message":"Too Many Requests"}`, not a problem document */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        message: string;
                    };
                };
            };
            default: components["responses"]["Problem"];
        };
    };
    "receive.herald.delivery.exhausted": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OperationalEvent"];
            };
        };
        responses: {
            /** @description Any 2xx acknowledges the delivery. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "receive.herald.endpoint.disabled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OperationalEvent"];
            };
        };
        responses: {
            /** @description Any 2xx acknowledges the delivery. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "receive.herald.endpoint.failing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OperationalEvent"];
            };
        };
        responses: {
            /** @description Any 2xx acknowledges the delivery. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "receive.herald.endpoint.recovered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OperationalEvent"];
            };
        };
        responses: {
            /** @description Any 2xx acknowledges the delivery. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
