/** GET /v1/health — no auth, no dependencies: answers while the function can run at all. */
import { jsonResponse } from '../../shared/problem.js';
import { publicRoute, type Route } from '../router.js';

const health = publicRoute('GET', '/v1/health', async () => jsonResponse(200, { status: 'ok' }));

const healthRoutes: readonly Route[] = [health];

export { healthRoutes };
