/** The dated price table: loaded once, validated, every item carrying its unit and source. */

import { readFileSync } from 'node:fs';

const PRICE_KEYS = [
  'apiGatewayHttpRequest',
  'lambdaRequest',
  'lambdaArmGbSecond',
  'lambdaX86GbSecond',
  'snsPublish',
  'snsToSqsDelivery',
  'sqsStandardRequest',
  'dynamoWriteRequestUnit',
  'dynamoReadRequestUnit',
  'stepFunctionsStandardTransition',
  'eventBridgeApiDestinationInvocation',
  'eventBridgeCustomEvent',
  'kmsRequest',
  'dynamoWcuHour',
  'dynamoRcuHour',
  'dynamoStorageGbMonth',
  'dynamoPitrGbMonth',
  'logsIngestGb',
  'logsStorageGbMonth',
  'cloudwatchAlarmMetric',
  'cloudwatchDashboard',
  'cloudwatchCustomMetric',
  'kmsKeyMonth',
  'dataTransferOutGb',
  'ec2T4gSmallHour',
  'ebsGp3GbMonth',
  'rdsPostgresT4gSmallHour',
  'rdsGp3GbMonth',
  'elasticacheT4gMicroHour',
  'albHour',
  'albLcuHour',
  'publicIpv4Hour',
] as const;

type PriceKey = (typeof PRICE_KEYS)[number];

interface PriceItem {
  /** USD for `per` units. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
}

interface PriceTable {
  readonly region: string;
  readonly currency: string;
  readonly retrieved: string;
  readonly status: string;
  readonly items: Readonly<Record<PriceKey, PriceItem>>;
}

class PriceTableError extends Error {
  readonly code = 'invalid_price_table';
  readonly status = 500;
  readonly retryable = false;
}

/** USD for one unit of an item. */
const unitPrice = (prices: PriceTable, key: PriceKey): number =>
  prices.items[key].usd / prices.items[key].per;

function parsePriceTable(raw: unknown): PriceTable {
  const table = raw as Partial<PriceTable> | null;
  if (!table || typeof table.retrieved !== 'string' || !table.items) {
    throw new PriceTableError('price table needs "retrieved" and "items"');
  }
  for (const key of PRICE_KEYS) {
    const item = table.items[key];
    if (
      !item ||
      typeof item.usd !== 'number' ||
      typeof item.per !== 'number' ||
      item.per <= 0 ||
      !item.source
    ) {
      throw new PriceTableError(`price item ${key} is missing or has no usd/per/source`);
    }
  }
  return table as PriceTable;
}

function loadPriceTable(path: string): PriceTable {
  return parsePriceTable(JSON.parse(readFileSync(path, 'utf8')));
}

export type { PriceItem, PriceKey, PriceTable };
export { loadPriceTable, PRICE_KEYS, PriceTableError, parsePriceTable, unitPrice };
