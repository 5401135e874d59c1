/** What to do next, per problem `code` (the API's stable codes, see ../shared/API.md). */
const HINTS: Readonly<Record<string, string>> = {
  unauthorized:
    'Check --key / HERALD_API_KEY. A revoked key stops working within 5 s; locally, the admin key is in .herald/local.json.',
  forbidden: "This key's role may not do that (tenant keys cannot publish or mint keys). Use an admin key.",
  not_found: 'Check the id. A tenant key only sees its own tenant: other tenants look like "not found".',
  invalid_request: 'Fix the field named in the detail and run the command again.',
  payload_too_large: 'Events are limited to 256 KiB. Store large data elsewhere and send a reference.',
  unsupported_media_type: 'The CLI always sends application/json; a proxy in between may have changed it.',
  invalid_url:
    'Endpoint URLs must be https:// without credentials (the local runtime also allows http://127.0.0.1:<port>).',
  forbidden_address:
    'The URL resolves to a private, loopback or metadata address; webhooks may only go to public hosts.',
  idempotency_key_reused:
    'That Idempotency-Key was already used with a different body. Use a new key, or send the same body.',
  idempotency_key_in_flight:
    'A request with that Idempotency-Key is still being processed. Retry in a moment.',
  invalid_filter:
    'Each entry of "errors" points into the filter (`/data/amount/0`) and says why; `herald endpoints preview-filter` tries one without saving.',
  conflict: 'Something changed meanwhile. Read the resource again and retry.',
  unavailable: 'A dependency is unavailable. Retry with backoff; if it lasts, see runbooks/queue-stuck.md.',
  internal_error: 'The API failed. Look at the function logs (locally: the npm start output).',
  network:
    'Is the API running and reachable? Locally: start it with `npm start` (it rewrites .herald/local.json).',
};

function hintFor(code: string): string | undefined {
  return HINTS[code];
}

export { hintFor };
