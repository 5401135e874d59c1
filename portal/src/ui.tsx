/** Small shared pieces of the pages: loading data, headings that take focus, notices, times. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { stringifyKeepingNumbers } from './raw-numbers';

interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Runs `load` when `deps` change (and on reload()); the API holds the state, this only shows it. */
function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload };
}

/** The page's h1; it takes focus when the page opens, so keyboard and screen-reader users land on it. */
function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

function ErrorNotice({ error }: { error: unknown }) {
  if (error === undefined) return null;
  // A problem with `errors` (schema_validation_failed, invalid_filter) lists each pointer and reason.
  const errors = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  if (errors.length === 0) {
    return (
      <p class="notice error" role="alert">
        {messageOf(error)}
      </p>
    );
  }
  return (
    <div class="notice error" role="alert">
      <p>{messageOf(error)}</p>
      <ul>
        {errors.map((e) => (
          <li key={`${e.pointer} ${e.message}`}>
            <code>{e.pointer === '' ? '(the whole value)' : e.pointer}</code> {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function StatusNotice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice ok" role="status">
      {children}
    </p>
  );
}

function Time({ iso }: { iso: string | undefined }) {
  if (iso === undefined) return <span>—</span>;
  return <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;
}

/** `datetime-local` wants local wall time without seconds' zone: YYYY-MM-DDTHH:MM. */
function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

function Json({ value, label }: { value: unknown; label: string }) {
  return (
    // A labelled region (Chromium makes a scrolling pre keyboard-focusable itself).
    <section class="scroll" aria-label={label}>
      <pre class="json">{stringifyKeepingNumbers(value)}</pre>
    </section>
  );
}

/** A value shown once (a signing secret): selectable text, with a note that it will not be shown again. */
function OnceSecret({ secret, what }: { secret: string; what: string }) {
  return (
    <div class="secret" role="status">
      <p>{what} — copy it now, it is shown only once.</p>
      <label for="once-secret">Signing secret</label>
      <input
        id="once-secret"
        class="code"
        readOnly
        value={secret}
        onFocus={(e) => e.currentTarget.select()}
      />
    </div>
  );
}

export { ErrorNotice, Json, localInput, OnceSecret, PageTitle, StatusNotice, Time, useLoad };
