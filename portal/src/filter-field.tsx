/**
 * The payload-filter field of the endpoint form (docs/api.md "Payload filters"): a JSON event pattern,
 * and — for an endpoint that exists — a live preview as you type: the API checks the filter against the
 * subscribed types' schemas (a refusal lists each pointer into the filter with its reason) and counts how
 * many of the tenant's recent events it would let through. Nothing is saved until the form is.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type FilterPreview } from './api';

/** The text as a filter: undefined when empty, an Error when it is not a JSON object. */
function parseFilterText(text: string): Record<string, unknown> | undefined | Error {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return new Error('The filter must be a JSON object, e.g. {"data": {"currency": ["EUR"]}}');
    }
    return value as Record<string, unknown>;
  } catch (error) {
    return new Error(`The filter is not valid JSON yet (${(error as Error).message})`);
  }
}

/** Waits this long after the last keystroke before asking the API. */
const PREVIEW_DELAY_MS = 400;

type PreviewState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'checking' }
  | { readonly kind: 'matched'; readonly preview: FilterPreview }
  | {
      readonly kind: 'refused';
      readonly errors: readonly { pointer: string; message: string }[];
      readonly detail: string;
    }
  | { readonly kind: 'failed'; readonly message: string };

function Preview({ endpointId, text }: { endpointId: string; text: string }) {
  const [state, setState] = useState<PreviewState>({ kind: 'idle' });
  useEffect(() => {
    const parsed = parseFilterText(text);
    if (parsed instanceof Error) {
      setState({ kind: 'failed', message: parsed.message });
      return;
    }
    let current = true;
    setState({ kind: 'checking' });
    const timer = setTimeout(() => {
      api.previewFilter(endpointId, parsed ?? null).then(
        (preview) => current && setState({ kind: 'matched', preview }),
        (error: unknown) => {
          if (!current) return;
          if (error instanceof ApiError && error.problem.code === 'invalid_filter') {
            setState({ kind: 'refused', errors: error.problem.errors ?? [], detail: error.message });
          } else {
            setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
          }
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [endpointId, text]);

  switch (state.kind) {
    case 'idle':
      return null;
    case 'checking':
      return (
        <p class="help" role="status">
          Checking the filter…
        </p>
      );
    case 'failed':
      return <p class="notice error">{state.message}</p>;
    case 'refused':
      return (
        <div class="notice error" role="alert" aria-label="Filter refused">
          <p>{state.detail}</p>
          <ul>
            {state.errors.map((e) => (
              <li key={`${e.pointer} ${e.message}`}>
                <code>{e.pointer === '' ? '(the whole filter)' : e.pointer}</code> {e.message}
              </li>
            ))}
          </ul>
        </div>
      );
    case 'matched': {
      const { preview } = state;
      return (
        <div class="notice ok" role="status" aria-label="Filter preview">
          <p>
            {preview.matched} of the last {preview.examined} events would be delivered.
          </p>
          {preview.examples.length > 0 ? (
            <ul>
              {preview.examples.map((e) => (
                <li key={e.id}>
                  <a href={`#/events/${e.id}`}>{e.id}</a> {e.type}
                </li>
              ))}
            </ul>
          ) : null}
          {(preview.warnings ?? []).map((w) => (
            <p key={w.eventType}>{w.message}</p>
          ))}
        </div>
      );
    }
  }
}

interface FilterFieldProps {
  readonly text: string;
  readonly onInput: (text: string) => void;
  /** The endpoint to preview against; none while creating one. */
  readonly endpointId?: string;
}

function FilterField({ text, onInput, endpointId }: FilterFieldProps) {
  return (
    <>
      <label for="ep-filter">Payload filter</label>
      <textarea
        id="ep-filter"
        rows={4}
        spellcheck={false}
        value={text}
        placeholder='{"data": {"currency": ["EUR"]}}'
        aria-describedby="ep-filter-help"
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <p id="ep-filter-help" class="help">
        Optional. An EventBridge event pattern on <code>type</code>, <code>tenantId</code> and{' '}
        <code>data</code>; Herald checks it against the event types' schemas.
        {endpointId === undefined ? ' Save the endpoint to preview it against your recent events.' : ''}
      </p>
      {endpointId !== undefined && text.trim() !== '' ? (
        <Preview endpointId={endpointId} text={text} />
      ) : null}
    </>
  );
}

export { FilterField, parseFilterText };
