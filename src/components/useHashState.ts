/**
 * A page's view state kept in its URL hash (run pages, compare pages), so a link restores the view:
 * read once before the first render (the islands render on the client only), again on Back and
 * Forward (popstate) and on a hash edited by hand (hashchange). A zoom in or out within one view
 * is a step Back undoes (a history entry); every other change replaces the entry.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { FramePath } from "../site/url.ts";

export function useHashState<S extends { view: string; zoom: FramePath | null }>(
  /** Parses location.hash (and corrects it for the page: e.g. a view the run does not have). */
  read: () => S,
  format: (s: S) => string,
): [S, (patch: Partial<S>) => void] {
  const [state, setState] = useState<S>(read);
  // The page's reader is fixed for its lifetime: listening once is enough.
  const reader = useRef(read);
  useEffect(() => {
    const onChange = () => setState(reader.current());
    window.addEventListener("hashchange", onChange);
    window.addEventListener("popstate", onChange);
    return () => {
      window.removeEventListener("hashchange", onChange);
      window.removeEventListener("popstate", onChange);
    };
  }, []);
  const shown = useRef({ view: state.view, zoom: JSON.stringify(state.zoom) });
  useEffect(() => {
    const hash = format(state);
    const zoom = JSON.stringify(state.zoom);
    const zoomStep = zoom !== shown.current.zoom && state.view === shown.current.view;
    shown.current = { view: state.view, zoom };
    if (hash !== location.hash && !(hash === "" && location.hash === "")) {
      const url = `${location.pathname}${location.search}${hash}`;
      if (zoomStep) history.pushState(null, "", url);
      else history.replaceState(null, "", url);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  const update = useCallback((patch: Partial<S>) => setState((s) => ({ ...s, ...patch })), []);
  return [state, update];
}
