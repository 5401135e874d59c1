/**
 * Every HTTP route except POST /v1/events, behind one small router. Errors of any kind become RFC 9457
 * problem documents; unexpected ones are logged and answered as a generic 500.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { portalRoutes } from '../portal/routes.js';
import { HeraldError } from '../shared/errors.js';
import { logger } from '../shared/observability.js';
import { problemResponse } from '../shared/problem.js';
import { type ApiEvent, dispatch, type Route } from './router.js';
import { dlqRoutes } from './routes/dlq.js';
import { dlqInspectRoutes } from './routes/dlq-inspect.js';
import { endpointActivityRoutes } from './routes/endpoint-activity.js';
import { endpointTestRoutes } from './routes/endpoint-test.js';
import { endpointRoutes } from './routes/endpoints.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { eventRoutes } from './routes/events.js';
import { filterPreviewRoutes } from './routes/filter-preview.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { replayRoutes } from './routes/replay.js';

const routes: readonly Route[] = [
  ...healthRoutes,
  ...keyRoutes,
  ...eventRoutes,
  ...replayRoutes,
  ...endpointRoutes,
  ...endpointTestRoutes,
  ...endpointActivityRoutes,
  ...filterPreviewRoutes,
  ...dlqRoutes,
  ...dlqInspectRoutes,
  ...portalRoutes,
  ...eventTypeRoutes,
];

/** The route table, (method, path template) pairs; the OpenAPI document is checked against it. */
const ROUTE_TABLE: readonly { readonly method: string; readonly path: string }[] = routes.map(
  ({ method, path }) => ({ method, path }),
);

async function handler(event: ApiEvent): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    return await dispatch(routes, event);
  } catch (error) {
    if (!(error instanceof HeraldError) || error.status >= 500) {
      logger.error('Request failed', {
        path: event.rawPath,
        method: event.requestContext.http.method,
        error,
      });
    }
    return problemResponse(error, event.rawPath);
  }
}

export { handler, ROUTE_TABLE };
