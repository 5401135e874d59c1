/**
 * The endpoint form, for create and edit: URL, event types (picked from the catalog where the
 * deployment has one, else typed as patterns), description, rate limit, payload filter (with a live
 * preview when editing), signature scheme.
 */
import { useState } from 'preact/hooks';
import { api } from './api';
import { FilterField, parseFilterText } from './filter-field';
import { ErrorNotice, useLoad } from './ui';

interface EndpointValues {
  readonly url: string;
  readonly eventTypes: string[];
  readonly description?: string;
  readonly rateLimit?: number;
  /** null: no filter. */
  readonly filter?: Record<string, unknown> | null;
  readonly signatureScheme: SignatureScheme;
}

/** API.md "Endpoints": which signatures deliveries carry. */
type SignatureScheme = 'v1' | 'v1a' | 'v1,v1a';
const SCHEMES: readonly { readonly value: SignatureScheme; readonly label: string }[] = [
  { value: 'v1', label: 'v1 — HMAC with a shared secret' },
  { value: 'v1a', label: 'v1a — ed25519: receivers verify with a public key' },
  { value: 'v1,v1a', label: 'Both (while receivers move to v1a)' },
];

interface Props {
  readonly legend: string;
  readonly submitLabel: string;
  readonly initial?: EndpointValues;
  readonly onSubmit: (values: EndpointValues) => Promise<void>;
  readonly onCancel: () => void;
  /** Set when editing: the filter is previewed against this endpoint's recent events as you type. */
  readonly endpointId?: string;
}

function splitPatterns(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function EndpointForm({ legend, submitLabel, initial, onSubmit, onCancel, endpointId }: Props) {
  const catalog = useLoad(() => api.eventTypes().catch(() => undefined), []);
  const [url, setUrl] = useState(initial?.url ?? '');
  const [picked, setPicked] = useState<string[]>(initial?.eventTypes ?? []);
  const [patterns, setPatterns] = useState((initial?.eventTypes ?? []).join(', '));
  const [description, setDescription] = useState(initial?.description ?? '');
  const [rateLimit, setRateLimit] = useState(
    initial?.rateLimit === undefined ? '' : String(initial.rateLimit),
  );
  const [filterText, setFilterText] = useState(
    initial?.filter != null ? JSON.stringify(initial.filter, null, 2) : '',
  );
  const [signatureScheme, setSignatureScheme] = useState<SignatureScheme>(initial?.signatureScheme ?? 'v1');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const types = (catalog.data ?? []).filter((t) => t.archived !== true);
  const useCatalog = types.length > 0;
  const catalogNames = new Set(types.map((t) => t.name));

  const submit = async (event: Event) => {
    event.preventDefault();
    const filter = parseFilterText(filterText);
    if (filter instanceof Error) {
      setError(filter);
      return;
    }
    setBusy(true);
    setError(undefined);
    // Patterns outside the catalog (e.g. "order.*") stay editable in the text field.
    const typed = splitPatterns(patterns);
    const eventTypes = useCatalog
      ? [...new Set([...picked, ...typed.filter((p) => !catalogNames.has(p))])]
      : typed;
    try {
      await onSubmit({
        url: url.trim(),
        eventTypes,
        ...(description.trim() !== '' ? { description: description.trim() } : {}),
        ...(rateLimit.trim() !== '' ? { rateLimit: Number(rateLimit) } : {}),
        filter: filter ?? null,
        signatureScheme,
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} class="panel">
      <fieldset disabled={busy}>
        <legend>{legend}</legend>
        <label for="ep-url">URL</label>
        <input
          id="ep-url"
          type="url"
          required
          value={url}
          placeholder="https://example.com/webhooks"
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
        {useCatalog ? (
          <fieldset class="types">
            <legend>Event types</legend>
            {types.map((t) => (
              <label key={t.name} class="check">
                <input
                  type="checkbox"
                  checked={picked.includes(t.name)}
                  onChange={(e) =>
                    setPicked((now) =>
                      e.currentTarget.checked ? [...now, t.name] : now.filter((n) => n !== t.name),
                    )
                  }
                />
                {t.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        <label for="ep-types">{useCatalog ? 'Other event type patterns' : 'Event types'}</label>
        <input
          id="ep-types"
          value={
            useCatalog
              ? splitPatterns(patterns)
                  .filter((p) => !catalogNames.has(p))
                  .join(', ')
              : patterns
          }
          placeholder="order.*, invoice.created or *"
          aria-describedby="ep-types-help"
          required={!useCatalog}
          onInput={(e) => setPatterns(e.currentTarget.value)}
        />
        <p id="ep-types-help" class="help">
          Comma-separated. <code>*</code> stands for one segment; a lone <code>*</code> matches every type.
        </p>
        <label for="ep-description">Description</label>
        <input
          id="ep-description"
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
        <label for="ep-rate">Rate limit (deliveries per second)</label>
        <input
          id="ep-rate"
          type="number"
          min={1}
          max={10000}
          inputMode="numeric"
          value={rateLimit}
          onInput={(e) => setRateLimit(e.currentTarget.value)}
        />
        <FilterField
          text={filterText}
          onInput={setFilterText}
          {...(endpointId !== undefined ? { endpointId } : {})}
        />
        <label for="ep-scheme">Signatures</label>
        <select
          id="ep-scheme"
          value={signatureScheme}
          aria-describedby="ep-scheme-help"
          onChange={(e) => setSignatureScheme(e.currentTarget.value as SignatureScheme)}
        >
          {SCHEMES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <p id="ep-scheme-help" class="help">
          With v1a, Herald keeps the private key; the endpoint shows the public key to verify with.
        </p>
        <ErrorNotice error={error} />
        <div class="actions">
          <button type="submit">{submitLabel}</button>
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </fieldset>
    </form>
  );
}

export type { EndpointValues, SignatureScheme };
export { EndpointForm };
