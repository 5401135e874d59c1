/**
 * Exit codes, stable for scripts (documented in `herald --help` and runbooks/README.md):
 * 0 ok · 1 the API refused or failed (any error not below) · 2 usage or configuration ·
 * 3 authentication/authorization (401, 403) · 4 not found (404) · 5 unavailable (503, 502, 504, network).
 */
const EXIT = {
  ok: 0,
  apiError: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  unavailable: 5,
} as const;

type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for an HTTP error status. */
function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 502 || status === 503 || status === 504) return EXIT.unavailable;
  return EXIT.apiError;
}

const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the API answered with an error (validation, conflict, 422 idempotency key reused, 5xx)
  2  usage or configuration error (unknown command or flag, missing argument, no URL or key)
  3  authentication or authorization failed (401, 403)
  4  not found (404)
  5  unavailable: the API answered 502/503/504, or could not be reached at all`;

export type { ExitCode };
export { EXIT, EXIT_CODES_HELP, exitCodeForStatus };
