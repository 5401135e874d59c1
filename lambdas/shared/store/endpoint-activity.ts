/**
 * An endpoint's hourly activity items (`EP#<id>` / `ACTIVITY#<yyyy-mm-ddThh>`): deliveries that ended
 * delivered or failed, counted with ADD from each container's tally (lambdas/webhooks/activity/), and
 * the largest backlog seen in the hour. Telemetry for the portal's chart, not the delivery record: a
 * container that is retired loses what it counted since its last flush (at most a minute's worth).
 * Kept two days past the hour (`GET /v1/endpoints/{id}/activity` reads at most 48 hours back).
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { compositeKey, isConditionFailure } from './table.js';

const HOUR_SECONDS = 3600;
const RETENTION_SECONDS = 2 * 24 * HOUR_SECONDS;

/** One (endpoint, hour)'s counts; `hour` in epoch hours. */
interface HourActivity {
  readonly endpointId: string;
  readonly hour: number;
  readonly delivered: number;
  readonly failed: number;
  /** The largest backlog noted in the hour; absent when none was. */
  readonly backlog?: number;
}

/** `ACTIVITY#2026-12-07T15`: sorts by time, so one range query reads a window. */
function activitySortKey(hour: number): string {
  return compositeKey('ACTIVITY', new Date(hour * HOUR_SECONDS * 1000).toISOString().slice(0, 13));
}

function keyOf(endpointId: string, hour: number) {
  return { pk: compositeKey('EP', endpointId), sk: activitySortKey(hour) };
}

/** The counts' ADD clause and values; undefined when there is nothing to add. */
function additions(row: HourActivity): { clause: string; values: Record<string, number> } | undefined {
  const parts: string[] = [];
  const values: Record<string, number> = {};
  if (row.delivered > 0) {
    parts.push('delivered :d');
    values[':d'] = row.delivered;
  }
  if (row.failed > 0) {
    parts.push('failed :f');
    values[':f'] = row.failed;
  }
  return parts.length === 0 ? undefined : { clause: `ADD ${parts.join(', ')}`, values };
}

/**
 * Adds one container's counts for (endpoint, hour): one UpdateItem, atomic, no read. A backlog reading
 * is written in the same update while it is larger than the stored one; when it is not, the counts
 * are added alone (a second write, only for rows that carry a smaller reading).
 */
async function addActivity(row: HourActivity): Promise<void> {
  const add = additions(row);
  const expiresAt = (row.hour + 1) * HOUR_SECONDS + RETENTION_SECONDS;
  const send = (clause: string, values: Record<string, number>, condition?: string) =>
    documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: keyOf(row.endpointId, row.hour),
        UpdateExpression: clause,
        ExpressionAttributeValues: { ...values, ':exp': expiresAt },
        ...(condition !== undefined ? { ConditionExpression: condition } : {}),
      }),
    );
  const setExpiry = 'expiresAt = if_not_exists(expiresAt, :exp)';
  if (row.backlog !== undefined) {
    try {
      await send(
        `${add?.clause ?? ''} SET ${setExpiry}, backlog = :b`.trim(),
        { ...add?.values, ':b': row.backlog },
        'attribute_not_exists(backlog) OR backlog < :b',
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  if (add !== undefined) await send(`${add.clause} SET ${setExpiry}`, add.values);
}

/** The stored hours of an endpoint from `fromHour` to `toHour` (both included), oldest first. */
async function activityHours(endpointId: string, fromHour: number, toHour: number): Promise<HourActivity[]> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: config.table(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': compositeKey('EP', endpointId),
        ':from': activitySortKey(fromHour),
        ':to': activitySortKey(toHour),
      },
      ScanIndexForward: true,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    endpointId,
    hour: Date.parse(`${String(item.sk).slice('ACTIVITY#'.length)}:00:00Z`) / (HOUR_SECONDS * 1000),
    delivered: Number(item.delivered ?? 0),
    failed: Number(item.failed ?? 0),
    ...(item.backlog !== undefined ? { backlog: Number(item.backlog) } : {}),
  }));
}

export type { HourActivity };
export { activityHours, addActivity };
