import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { HeraldFunction } from './herald-function.js';
import { suppressNag } from './nag.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface PortalProps {
  /** The HTTP API the portal is served behind, at `/portal` (the same origin as `/v1`, so the session
   * cookie is SameSite=Strict and the page needs no CORS). */
  readonly api: HttpApi;
}

/** Route keys the portal adds to the API (no authorizer: static files, and the page signs in itself). */
const PORTAL_ROUTES = ['GET /portal', 'GET /portal/{proxy+}'] as const;

/**
 * The consumer portal: a small function that serves the built static assets of portal/ from its own
 * bundle at GET /portal and GET /portal/{proxy+}. The assets are built by the bundling hook, so every
 * synth (and so `npm start` and the tests) builds them; the function has no grants beyond its logs.
 */
class Portal extends Construct {
  readonly function: HeraldFunction;

  constructor(scope: Construct, id: string, props: PortalProps) {
    super(scope, id);
    const build = path.join(projectRoot, 'portal', 'build.mjs');
    this.function = new HeraldFunction(this, 'Assets', {
      entry: 'lambdas/portal/assets.handler.ts',
      timeout: Duration.seconds(5),
      memorySize: 256,
      // The synth's own Node runs the portal build (esbuild, ~0.2 s) into the bundle folder.
      afterBundling: (_inputDir, outputDir) => [
        `"${process.execPath}" "${build}" "${path.join(outputDir, 'portal')}"`,
      ],
    });
    const integration = new HttpLambdaIntegration('PortalIntegration', this.function);
    for (const route of PORTAL_ROUTES) {
      const added = props.api.addRoutes({
        path: route.slice('GET '.length),
        methods: [HttpMethod.GET],
        integration,
        authorizer: new HttpNoneAuthorizer(),
      });
      for (const r of added) {
        suppressNag(r, [
          {
            id: 'AwsSolutions-APIG4',
            reason:
              'The portal page and its script and stylesheet are public static files with no data; the page signs in through POST /v1/portal-session and reads only the authorized /v1 API',
          },
        ]);
      }
    }
  }
}

export type { PortalProps };
export { Portal };
