/**
 * RFC 9457 problem documents for every error the API answers, and plain JSON responses. Anything that
 * is not a HeraldError becomes a generic 500: internals (stack traces, SDK messages) never leak.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HeraldError, RateLimitedError } from './errors.js';

const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Problem `type` URIs: one stable URI per code, so clients may switch on either. */
const PROBLEM_TYPE_BASE = 'https://herald.dev/problems/';

/** Reason phrases for the statuses Herald answers with, used as the problem `title`. */
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

function problemBody(error: unknown, instance?: string): ProblemBody {
  const known = error instanceof HeraldError;
  const status = known ? error.status : 500;
  const code = known ? error.code : 'internal_error';
  const detail = known ? error.message : 'An internal error occurred';
  return {
    // Extensions first so they can never overwrite the standard members.
    ...(known ? error.detail : undefined),
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance === undefined ? {} : { instance }),
  };
}

function problemResponse(error: unknown, instance?: string): APIGatewayProxyStructuredResultV2 {
  const body = problemBody(error, instance);
  return {
    statusCode: body.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      ...(error instanceof RateLimitedError ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
    },
    body: JSON.stringify(body),
  };
}

function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export type { ProblemBody };
export { jsonResponse, problemBody, problemResponse };
