/**
 * Events as the API shows them (GET /v1/events/{id}, GET /v1/events): `data` exactly as written —
 * spliced in as the stored text rather than re-serialised from the parsed value, which would round
 * numbers past double precision — and no storage bookkeeping (`dataJson`).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dataText } from '../shared/event-json.js';
import { stringifyWithRaw } from '../shared/raw-json.js';
import type { StoredEvent } from '../shared/store/events.js';

/** Collects the raw `data` texts of the views it makes, for `rawJsonResponse`. */
class EventViews {
  readonly raw = new Map<object, string>();

  /** The event's public fields, `data` a placeholder the response replaces with the stored text. */
  view(event: StoredEvent): Record<string, unknown> {
    const { data: _data, dataJson: _dataJson, dispatchClaim: _claim, ...fields } = event;
    const marker = {};
    this.raw.set(marker, dataText(event));
    return { ...fields, data: marker };
  }

  response(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json' },
      body: stringifyWithRaw(body, this.raw),
    };
  }
}

export { EventViews };
