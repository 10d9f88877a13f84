/** The interactive part of a run page: views, controls and URL state. */
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import type { DataRef, OkRunEntry, SourceFile } from "../content/schema.ts";
import { loadSource, loadTree } from "../site/data.ts";
import type { FlameFilter } from "../site/flame.ts";
import { DEFAULT_STATE, formatState, parseState, type View, type ViewState } from "../site/url.ts";
import FlameToolbar from "./FlameToolbar.tsx";
import FlameView from "./FlameView.tsx";
import { LoadStatus, useDataFile } from "./useDataFile.tsx";
import { useHashState } from "./useHashState.ts";
import ViewTabs from "./ViewTabs.tsx";

// Charts pull in echarts: only loaded when a view needs them.
const TemporalView = lazy(() => import("./TemporalView.tsx"));
const StatsPanel = lazy(() => import("./StatsPanel.tsx"));
const TreeSummary = lazy(() => import("./TreeSummary.tsx"));

interface Props {
  entry: OkRunEntry;
  /** import.meta.env.BASE_URL, ending in "/". */
  base: string;
}

const VIEW_LABELS: Record<View, string> = {
  peak: "Peak",
  leaks: "Leaks",
  temporary: "Temporary allocations",
  inverted: "Inverted",
  temporal: "Temporal",
  tree: "Tree",
  stats: "Stats",
};

function refFor(entry: OkRunEntry, s: ViewState): DataRef | null {
  const d = entry.data;
  switch (s.view) {
    case "peak":
      return s.thread && d.peakByThread ? d.peakByThread : d.peak;
    case "leaks":
      return s.thread && d.leaksByThread ? d.leaksByThread : d.leaks;
    case "temporary":
      return s.thread && d.temporaryByThread ? d.temporaryByThread : d.temporary;
    case "inverted":
      return s.hideImports ? d.invertedNoImports : d.inverted;
    default:
      return null;
  }
}

function available(entry: OkRunEntry, v: View): boolean {
  const d = entry.data;
  switch (v) {
    case "peak":
    case "leaks":
    case "temporary":
    case "inverted":
      return d[v] !== null;
    case "temporal":
      return d.temporalHighWaterMark !== null && d.memory !== null;
    case "tree":
      return d.tree !== null;
    case "stats":
      return entry.stats !== null;
  }
}

export default function RunReport({ entry, base }: Props) {
  const views = (Object.keys(VIEW_LABELS) as View[]).filter((v) => available(entry, v));
  // Rendered on the client only (client:only), so the URL can be read before the first render.
  const readState = (): ViewState => {
    const s = parseState(location.hash);
    if (!views.includes(s.view)) s.view = views[0] ?? DEFAULT_STATE.view;
    if (s.thread && !entry.threads.includes(s.thread)) s.thread = "";
    return s;
  };
  const [state, update] = useHashState(readState, formatState);
  const [source, setSource] = useState<SourceFile | null>(null);

  const ref = refFor(entry, state);
  const tree = useDataFile(loadTree, base, ref);

  // Source lines only matter once something is on screen.
  useEffect(() => {
    if (!entry.data.source) return;
    const t = window.setTimeout(() => {
      loadSource(base, entry.data.source!).then(setSource, () => setSource(null));
    }, 300);
    return () => window.clearTimeout(t);
  }, [base, entry.data.source]);

  const filter: FlameFilter = useMemo(
    () => ({
      hideUninteresting: state.hideUninteresting,
      // Inverted trees have their own no-imports variant instead.
      hideImports: state.view !== "inverted" && state.hideImports,
      thread: state.view === "inverted" ? "" : state.thread,
      collapseUnresolved: state.collapseUnresolved,
    }),
    [state.hideUninteresting, state.hideImports, state.thread, state.view, state.collapseUnresolved],
  );

  const isFlameView = ref !== null;
  // Temporal and inverted trees merge threads, as memray's.
  const threadsShown = entry.threads.length > 1 && (state.view === "peak" || state.view === "leaks" || state.view === "temporary");

  const showFlameControls = isFlameView || state.view === "temporal";
  return (
    <div className="report">
      <ViewTabs views={views} labels={VIEW_LABELS} current={state.view} onSelect={(v) => update({ view: v, zoom: null })}>
        {showFlameControls && (
          <FlameToolbar state={state} update={update}>
            {entry.header.nativeTraces && (
              <label>
                <input type="checkbox" checked={state.collapseUnresolved} onChange={(e) => update({ collapseUnresolved: e.target.checked, zoom: null })} /> Collapse unresolved native frames
              </label>
            )}
            {threadsShown && (
              <label>
                Thread{" "}
                <select value={state.thread} onChange={(e) => update({ thread: e.target.value, zoom: null })}>
                  <option value="">All threads</option>
                  {entry.threads.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </FlameToolbar>
        )}
        {isFlameView && tree.data && (
          <>
            {state.view === "temporary" && (
              <p className="note">
                Temporary allocations: blocks freed on the thread that made them with at most {entry.temporaryAllocationThreshold} other allocation
                {entry.temporaryAllocationThreshold === 1 ? "" : "s"} in between (threshold {entry.temporaryAllocationThreshold}, memray&apos;s
                --temporary-allocation-threshold).
              </p>
            )}
            {tree.data.minFrameFraction > 0 && tree.data.otherFrames.size > 0 && (
              <p className="note">
                Frames narrower than {(tree.data.minFrameFraction * 100).toFixed(2)}% of the total are merged into grey “smaller frames” boxes (
                {tree.data.size.toLocaleString("en-US")} of {tree.data.totalNodes.toLocaleString("en-US")} frames kept); their bytes are counted.
              </p>
            )}
            <FlameView
              inverted={state.view === "inverted"}
              tree={tree.data}
              filter={filter}
              layout={state.layout}
              search={state.search}
              zoom={state.zoom}
              onZoom={(zoom) => update({ zoom })}
              source={source}
              label={`${VIEW_LABELS[state.view]} flame graph`}
            />
          </>
        )}
        {isFlameView && !tree.data && <LoadStatus what="flame graph" error={tree.error} retry={tree.retry} />}
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {state.view === "temporal" && <TemporalView entry={entry} base={base} state={state} update={update} filter={filter} source={source} />}
          {state.view === "tree" && entry.data.tree && <TreeSummary dataRef={entry.data.tree} base={base} source={source} state={state} update={update} />}
          {state.view === "stats" && entry.stats && <StatsPanel stats={entry.stats} />}
        </Suspense>
      </ViewTabs>
    </div>
  );
}
