/**
 * Counts the KMS calls that envelope-encrypted signing secrets cost per delivery, at the local key
 * service (local/kms.ts), running Herald's own code (lambdas/secrets/data-keys.ts + secret-box.ts):
 * management containers seal the endpoints' secrets with the table's current data key (an in-memory
 * stand-in for the `SECRETSKEY` item, shared by the simulated containers; a new key every 30 days),
 * then dispatcher containers, each starting with an empty cache, open the secret of every delivery.
 * The container counts are stated inputs — how long Lambda keeps a container is not something a local
 * run can measure — and the KMS calls are counted, not computed.
 */
import { randomBytes } from 'node:crypto';
import { LocalKms, localKeyId } from '../../local/kms.js';

interface KmsScenario {
  readonly label: string;
  /** Endpoints deliveries go to. */
  readonly endpoints: number;
  /** Management containers that created those endpoints' secrets, in turn. */
  readonly sealingContainers: number;
  /** Months over which the endpoints were created (a new current data key every 30 days). */
  readonly months: number;
  /** Deliveries one dispatcher container makes before Lambda retires it. */
  readonly deliveriesPerContainer: number;
  /** Dispatcher containers simulated (each cold). */
  readonly containers: number;
}

interface KmsMeasurement extends KmsScenario {
  readonly deliveries: number;
  readonly generateDataKeyCalls: number;
  readonly decryptCalls: number;
  readonly decryptsPerDelivery: number;
}

const SCENARIOS: readonly KmsScenario[] = [
  {
    label:
      '50 endpoints made by 5 management containers in a month; 1,000 deliveries per dispatcher container',
    endpoints: 50,
    sealingContainers: 5,
    months: 1,
    deliveriesPerContainer: 1_000,
    containers: 3,
  },
  {
    label: 'the same with short-lived dispatcher containers (100 deliveries each)',
    endpoints: 50,
    sealingContainers: 5,
    months: 1,
    deliveriesPerContainer: 100,
    containers: 3,
  },
  {
    label: 'each endpoint made by its own container over 3 months (3 data keys); 100 deliveries each',
    endpoints: 50,
    sealingContainers: 50,
    months: 3,
    deliveriesPerContainer: 100,
    containers: 3,
  },
];

async function measureKmsCalls(scenarios: readonly KmsScenario[] = SCENARIOS): Promise<KmsMeasurement[]> {
  const keyId = localKeyId('cost', 'SecretsKey');
  const arn = `arn:aws:kms:us-east-1:000000000000:key/${keyId}`;
  const kms = new LocalKms([{ logicalId: 'SecretsKey', keyId, arn }]);
  const endpoint = await kms.listen(0);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_KMS: endpoint,
    HERALD_SECRETS_KEY_ID: arn,
  });
  // Imported after the environment is set: the modules read it on first use, as in Lambda.
  const { DATA_KEY_MAX_AGE_MS, openDataKey, resetDataKeyCache, sealingKey } = await import(
    '../../lambdas/secrets/data-keys.js'
  );
  const { memoryDataKeyStore } = await import('../../lambdas/secrets/data-key-store.js');
  const { open, seal } = await import('../../lambdas/secrets/secret-box.js');
  const results: KmsMeasurement[] = [];
  try {
    for (const scenario of scenarios) {
      const before = { ...kms.counts };
      const table = memoryDataKeyStore();
      const start = Date.now();
      const perContainer = Math.ceil(scenario.endpoints / scenario.sealingContainers);
      const stored: { id: string; sealed: string; dataKey: string }[] = [];
      for (let i = 0; i < scenario.endpoints; i++) {
        if (i % perContainer === 0) resetDataKeyCache(); // the next management container
        const month = Math.floor((i * scenario.months) / scenario.endpoints);
        if (i > 0 && month !== Math.floor(((i - 1) * scenario.months) / scenario.endpoints))
          resetDataKeyCache();
        const key = await sealingKey(table, start + month * (DATA_KEY_MAX_AGE_MS + 60_000));
        const id = `ep_${i}`;
        const secret = `whsec_${randomBytes(24).toString('base64')}`;
        stored.push({ id, sealed: seal(key.plaintext, secret, id), dataKey: key.encrypted });
      }
      const generateDataKeyCalls = kms.counts.GenerateDataKey - before.GenerateDataKey;
      const decryptBefore = kms.counts.Decrypt;
      let deliveries = 0;
      for (let c = 0; c < scenario.containers; c++) {
        resetDataKeyCache(); // a cold dispatcher container
        for (let d = 0; d < scenario.deliveriesPerContainer; d++) {
          const target = stored[(c * 7 + d) % stored.length]!;
          open(await openDataKey(target.dataKey), target.sealed, target.id);
          deliveries++;
        }
      }
      const decryptCalls = kms.counts.Decrypt - decryptBefore;
      results.push({
        ...scenario,
        deliveries,
        generateDataKeyCalls,
        decryptCalls,
        decryptsPerDelivery: decryptCalls / deliveries,
      });
    }
  } finally {
    resetDataKeyCache();
    await kms.close();
  }
  return results;
}

export type { KmsMeasurement, KmsScenario };
export { measureKmsCalls, SCENARIOS };
