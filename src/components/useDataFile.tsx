/** Loading a run's data file with its three states (loading, loaded, failed) and a retry. */
import { useCallback, useEffect, useState } from "react";
import type { DataRef } from "../content/shapes.ts";
import { forget } from "../site/data.ts";

export interface DataFileState<T> {
  data: T | null;
  error: string | null;
  retry: () => void;
}

/** `data` is null while loading and after a failure (`error` set); `ref` null loads nothing. */
export function useDataFile<T>(load: (base: string, ref: DataRef) => Promise<T>, base: string, ref: DataRef | null): DataFileState<T> {
  const [state, setState] = useState<{ path: string | null; data: T | null; error: string | null }>({ path: null, data: null, error: null });
  const [attempt, setAttempt] = useState(0);
  const path = ref?.path ?? null;
  useEffect(() => {
    if (!ref) return;
    let live = true;
    setState((s) => (s.path === ref.path && s.data !== null ? s : { path: ref.path, data: null, error: null }));
    load(base, ref).then(
      (data) => live && setState({ path: ref.path, data, error: null }),
      (e: unknown) => live && setState({ path: ref.path, data: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
    // A ref is identified by its path.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base, path, attempt, load]);
  const retry = useCallback(() => {
    if (path) forget(base, path);
    setAttempt((n) => n + 1);
  }, [base, path]);
  const current = state.path === path;
  return { data: current ? state.data : null, error: current ? state.error : null, retry };
}

/** What stands in for a view until its data is there: "Loading…", or the error and a retry. */
export function LoadStatus({ what, error, retry }: { what: string; error: string | null; retry: () => void }) {
  if (!error) return <p className="loading">Loading…</p>;
  return (
    <p className="error" role="alert">
      Could not load the {what}: {error}.{" "}
      <button type="button" onClick={retry}>
        Retry
      </button>
    </p>
  );
}
