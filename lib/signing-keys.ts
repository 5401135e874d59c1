import { Duration } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { grantTableAccess } from './access.js';
import { HeraldFunction, PER_EVENT_MEMORY_MB } from './herald-function.js';
import { suppressNag } from './nag.js';
import { listIndexOf } from './tables.js';

interface PublicKeySetProps {
  /** The HTTP API the key set is served behind (its /v1 routes need an API key; this one does not). */
  readonly api: HttpApi;
  /** The main table, whose endpoint items hold each key's public half beside the sealed secret key. */
  readonly mainTable: ITable;
}

/** The key set route, served by this construct's function (lib/events-api.ts leaves it out). */
const KEY_SET_PATH = '/v1/tenants/{tenantId}/jwks.json';

/**
 * The per-tenant JSON Web Key Set of v1a (ed25519) public keys, at GET /v1/tenants/{tenantId}/jwks.json
 * without an API key, so receivers holding no Herald credential can fetch and cache it. Its function
 * reads endpoint items' public parts only — GetItem on `EP#` keys and the list index — and has no KMS
 * grant: it cannot open a sealed secret key even if one were read.
 */
class PublicKeySet extends Construct {
  readonly function: HeraldFunction;

  constructor(scope: Construct, id: string, props: PublicKeySetProps) {
    super(scope, id);
    const listIndex = listIndexOf(props.mainTable);
    this.function = new HeraldFunction(this, 'Jwks', {
      entry: 'lambdas/signing-keys/jwks.handler.ts',
      timeout: Duration.seconds(10),
      memorySize: PER_EVENT_MEMORY_MB,
      environment: { HERALD_TABLE: props.mainTable.tableName, HERALD_LIST_INDEX: listIndex },
    });
    grantTableAccess(this.function, props.mainTable, { actions: ['GetItem'], leadingKeys: ['EP#*'] });
    grantTableAccess(this.function, props.mainTable, { actions: [], queryIndexes: [listIndex] });
    const routes = props.api.addRoutes({
      path: KEY_SET_PATH,
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('JwksIntegration', this.function),
      authorizer: new HttpNoneAuthorizer(),
    });
    for (const route of routes) {
      suppressNag(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'The key set lists public keys only (API.md "Endpoints"): receivers without a Herald key fetch it to verify v1a signatures',
        },
      ]);
    }
  }
}

export type { PublicKeySetProps };
export { KEY_SET_PATH, PublicKeySet };
