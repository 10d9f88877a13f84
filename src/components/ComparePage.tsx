/**
 * The interactive part of a compare page: two runs' data of one view loaded in the browser,
 * diffed (content/diff.ts over the decoded columns) and drawn as a differential flame graph,
 * with the stats side by side, the call sites that grew and shrank most, and the comparability
 * warning. The picker (`/compare/`) renders the same view for any two runs it is given.
 */
import { useEffect, useMemo, useState } from "react";
import { callSiteChanges, diffTrees, treeDataSource, type CallSiteChange } from "../content/diff.ts";
import { change, isRegression } from "../shared/regression.ts";
import type { TreeData } from "../content/columnar.ts";
import { callSiteView, compareRunLabel, topCallSiteChanges, type CompareRun } from "../content/compare.ts";
import { settingsDifferences } from "../content/history.ts";
import type { DataRef } from "../content/shapes.ts";
import { urls } from "../content/urls.ts";
import { DIFF_VIEWS, formatCompareState, parseCompareState, type CompareState, type DiffView } from "../site/compare-url.ts";
import { loadTree } from "../site/data.ts";
import { GREW_HUE, SHRANK_HUE } from "../site/diff.ts";
import { formatBytes, formatChange, formatCount, formatDuration } from "../shared/format.ts";
import { functionChanges, functionTable } from "../site/functions.ts";
import DiffFlameGraph from "./DiffFlameGraph.tsx";
import FlameToolbar from "./FlameToolbar.tsx";
import { CompareFunctionTable } from "./FunctionTable.tsx";
import { useHashState } from "./useHashState.ts";
import ViewTabs from "./ViewTabs.tsx";

const VIEW_LABELS: Record<DiffView, string> = { peak: "Peak", leaks: "Leaks", temporary: "Temporary allocations", inverted: "Inverted" };

function refFor(run: CompareRun, view: DiffView, hideImports: boolean): DataRef | null {
  if (run.dataPruned) return null;
  if (view === "inverted") return hideImports ? run.data.invertedNoImports : run.data.inverted;
  return run.data[view];
}

function signed(n: number, unit: "bytes" | "count", pct: number | null = null): string {
  return formatChange(n, pct, unit === "bytes" ? formatBytes : formatCount, "±0");
}

function DeltaCell({ base, head, unit, rule }: { base: number | null; head: number | null; unit: "bytes" | "count"; rule?: boolean }) {
  if (base === null || head === null) return <td className="num">n/a</td>;
  const { deltaBytes, deltaPct } = change(base, head);
  const regression = rule === true && isRegression(base, head);
  return (
    <td className={`num ${deltaBytes > 0 ? "grew" : deltaBytes < 0 ? "shrank" : ""}`}>
      {signed(deltaBytes, unit, deltaPct)}
      {regression && <strong> regression</strong>}
    </td>
  );
}

function StatsSideBySide({ base, head, comparable }: { base: CompareRun; head: CompareRun; comparable: boolean }) {
  const rows: Array<[string, number | null, number | null, "bytes" | "count", boolean]> = [
    ["Peak memory", base.peakMemoryBytes, head.peakMemoryBytes, "bytes", comparable],
    ["Leaked", base.leakedBytes, head.leakedBytes, "bytes", comparable],
    ["Total allocated", base.totalBytesAllocated, head.totalBytesAllocated, "bytes", false],
    ["Allocations", base.nAllocations, head.nAllocations, "count", false],
  ];
  const fmt = (v: number | null, unit: "bytes" | "count") => (v === null ? "n/a" : unit === "bytes" ? formatBytes(v) : formatCount(v));
  return (
    <table className="compare-stats" aria-label="Figures side by side">
      <thead>
        <tr>
          <th scope="col">Figure</th>
          <th scope="col">Base {compareRunLabel(base)}</th>
          <th scope="col">Head {compareRunLabel(head)}</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, b, h, unit, rule]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td className="num">{fmt(b, unit)}</td>
            <td className="num">{fmt(h, unit)}</td>
            <DeltaCell base={b} head={h} unit={unit} rule={rule} />
          </tr>
        ))}
        <tr>
          <th scope="row">Duration</th>
          <td className="num">{formatDuration(base.durationMs)}</td>
          <td className="num">{formatDuration(head.durationMs)}</td>
          <td className="num">{signed(Math.round(head.durationMs - base.durationMs), "count")} ms</td>
        </tr>
      </tbody>
    </table>
  );
}

function CallSiteTable({ title, sites }: { title: string; sites: CallSiteChange[] }) {
  return (
    <section className="callsites">
      <h3>{title}</h3>
      {sites.length === 0 ? (
        <p>None.</p>
      ) : (
        <table aria-label={title}>
          <thead>
            <tr>
              <th scope="col">Call site</th>
              <th scope="col">Base</th>
              <th scope="col">Head</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={`${s.function}\u0000${s.filename}\u0000${s.lineno}`}>
                <td>
                  <code>{s.function}</code>
                  {s.filename ? ` at ${s.filename}:${s.lineno}` : ""}
                </td>
                <td className="num">{formatBytes(s.baseBytes)}</td>
                <td className="num">{formatBytes(s.headBytes)}</td>
                <td className={`num ${s.deltaBytes > 0 ? "grew" : "shrank"}`}>{signed(s.deltaBytes, "bytes")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function GrewShrank({ sites, from }: { sites: CallSiteChange[]; from: string }) {
  return (
    <div className="grew-shrank">
      <p className="note">Call sites are the frames that allocate: each one's own bytes ({from}), summed over its stacks.</p>
      <CallSiteTable title="Grew most" sites={sites.filter((s) => s.deltaBytes > 0).slice(0, 10)} />
      <CallSiteTable title="Shrank most" sites={sites.filter((s) => s.deltaBytes < 0).slice(0, 10)} />
    </div>
  );
}

/** The diff of two runs' trees of one view, loaded when both refs are given (else null). */
function useDiffOf(siteBase: string, baseRef: DataRef | null, headRef: DataRef | null) {
  const key = baseRef && headRef ? `${baseRef.path}|${headRef.path}` : null;
  const [trees, setTrees] = useState<{ key: string; base: TreeData; head: TreeData } | null>(null);
  useEffect(() => {
    if (!key || !baseRef || !headRef) return;
    let live = true;
    Promise.all([loadTree(siteBase, baseRef), loadTree(siteBase, headRef)]).then(
      ([b, h]) => live && setTrees({ key, base: b, head: h }),
      () => live && setTrees(null),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, siteBase]);
  return useMemo(() => (trees && trees.key === key ? diffTrees(treeDataSource(trees.base), treeDataSource(trees.head)) : null), [trees, key]);
}

interface ViewProps {
  base: CompareRun;
  head: CompareRun;
  /** import.meta.env.BASE_URL, ending in "/". */
  siteBase: string;
  state: CompareState;
  update: (patch: Partial<CompareState>) => void;
}

/** The comparison of two runs (shared by the compare pages and the picker). */
export function CompareView({ base, head, siteBase, state, update }: ViewProps) {
  const differences = useMemo(() => settingsDifferences(base.header, head.header).map((d) => d.sentence), [base, head]);
  const pruned = [base, head].filter((r) => r.dataPruned);
  const views = DIFF_VIEWS.filter((v) => refFor(base, v, false) !== null && refFor(head, v, false) !== null);
  const view = views.includes(state.view) ? state.view : (views[0] ?? "peak");
  const baseRef = refFor(base, view, state.hideImports);
  const headRef = refFor(head, view, state.hideImports);
  const [trees, setTrees] = useState<{ key: string; base: TreeData; head: TreeData } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = `${baseRef?.path}|${headRef?.path}`;

  useEffect(() => {
    if (!baseRef || !headRef) return;
    let live = true;
    setError(null);
    Promise.all([loadTree(siteBase, baseRef), loadTree(siteBase, headRef)]).then(
      ([b, h]) => {
        // For bench/compare.ts: both runs' data decoded.
        performance.mark("heaptrail:diff-loaded");
        if (live) setTrees({ key, base: b, head: h });
      },
      (e: unknown) => live && setError(String(e)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, siteBase]);

  const diff = useMemo(() => (trees && trees.key === key ? diffTrees(treeDataSource(trees.base), treeDataSource(trees.head)) : null), [trees, key]);
  // Call sites are the allocating frames of the view's non-inverted tree (the inverted view is a
  // view of the peak: the peak trees' call sites), the figures `heaptrail compare` reports.
  const siteView = callSiteView(view);
  const siteDiff = useDiffOf(siteBase, siteView === view ? null : refFor(base, siteView, false), siteView === view ? null : refFor(head, siteView, false));
  const sitesFrom = siteView === view ? diff : siteDiff;
  const sites = useMemo(() => (sitesFrom ? callSiteChanges(sitesFrom, 200) : topCallSiteChanges(base.topCallSites, head.topCallSites, 200)), [sitesFrom, base, head]);
  const filter = useMemo(() => ({ hideUninteresting: state.hideUninteresting, hideImports: view !== "inverted" && state.hideImports }), [state.hideUninteresting, state.hideImports, view]);
  // The function table, from the two runs' own trees (matched by name and file, as the diff is).
  const functions = useMemo(() => {
    if (!trees || trees.key !== key) return null;
    const f = { ...filter, thread: "" };
    const options = { inverted: view === "inverted", byNative: false };
    return functionChanges(functionTable(trees.base, f, options), functionTable(trees.head, f, options));
  }, [trees, key, filter, view]);
  const [selectedFunction, setSelectedFunction] = useState<string | null>(null);
  useEffect(() => setSelectedFunction(null), [key]);

  return (
    <div className="compare">
      <p className="compare-runs">
        Base <a href={`${siteBase}${urls.run(base.id)}`}>{compareRunLabel(base)}</a>
        {base.branch ? ` on ${base.branch}` : ""} → head <a href={`${siteBase}${urls.run(head.id)}`}>{compareRunLabel(head)}</a>
        {head.branch ? ` on ${head.branch}` : ""}
      </p>
      {differences.length > 0 && (
        <div className="callout warn" role="note" aria-label="Comparability">
          <p>
            <strong>These runs do not compare directly:</strong> they were captured with different settings, so changes may come from the
            settings rather than the code, and none is called a regression.
          </p>
          <ul>
            {differences.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </div>
      )}
      <StatsSideBySide base={base} head={head} comparable={differences.length === 0} />
      {pruned.length > 0 ? (
        <>
          <div className="callout" role="note" aria-label="Pruned data">
            The full flame data of {pruned.map((r) => compareRunLabel(r)).join(" and ")} was pruned by retention: only the summary deltas and the
            kept top call sites are compared.
          </div>
          <GrewShrank sites={sites} from="kept top call sites at peak" />
        </>
      ) : (
        <div className="report">
          <ViewTabs views={views} labels={VIEW_LABELS} current={view} onSelect={(v) => update({ view: v, zoom: null })}>
            <FlameToolbar
              state={state}
              update={update}
              leading={
                <fieldset className="width-toggle">
                  <legend>Width</legend>
                  <label>
                    <input type="radio" name="width" checked={state.width === "head"} onChange={() => update({ width: "head" })} /> head bytes
                  </label>
                  <label>
                    <input type="radio" name="width" checked={state.width === "base"} onChange={() => update({ width: "base" })} /> base bytes (shows
                    vanished stacks)
                  </label>
                </fieldset>
              }
            />
            <p className="diff-legend">
              <span className="swatch" style={{ background: `hsl(${GREW_HUE}, 90%, 50%)` }} /> grew{" "}
              <span className="swatch" style={{ background: `hsl(${SHRANK_HUE}, 90%, 50%)` }} /> shrank{" "}
              <span className="swatch" style={{ background: "hsl(220, 8%, 82%)" }} /> unchanged; stronger colour, bigger change. [new] stacks are only in head,
              [gone] ones only in base.
            </p>
            {error && (
              <p className="error" role="alert">
                Could not load data: {error}
              </p>
            )}
            {diff && (
              <>
                {(diff.prunedNodes.base > 0 || diff.prunedNodes.head > 0) && (
                  <p className="note">
                    Frames narrower than {(Math.max(base.minFrameFraction, head.minFrameFraction) * 100).toFixed(2)}% of a run's total are merged into
                    “smaller frames” boxes, matched between the runs; a frame present in one run only may sit inside the other's smaller frames
                    (its tooltip says so). Totals are exact.
                  </p>
                )}
                <DiffFlameGraph
                  diff={diff}
                  width={state.width}
                  filter={filter}
                  layout={state.layout}
                  label={`${VIEW_LABELS[view]} differential flame graph`}
                  search={state.search}
                  highlight={selectedFunction}
                  zoom={state.zoom}
                  onZoom={(zoom) => update({ zoom })}
                />
                {functions && <CompareFunctionTable rows={functions} selected={selectedFunction} onSelect={setSelectedFunction} />}
                {sitesFrom && <GrewShrank sites={sites} from={`${VIEW_LABELS[siteView].toLowerCase()} bytes`} />}
              </>
            )}
            {!diff && !error && <p className="loading">Loading…</p>}
          </ViewTabs>
        </div>
      )}
    </div>
  );
}

/** Hash state, kept in sync with the URL so a link restores the view. */
export function useCompareState(): [CompareState, (patch: Partial<CompareState>) => void] {
  return useHashState(() => parseCompareState(location.hash), formatCompareState);
}

/** A fixed compare page (`/compare/<base>/<head>/`). */
export default function ComparePage({ base, head, siteBase }: { base: CompareRun; head: CompareRun; siteBase: string }) {
  const [state, update] = useCompareState();
  return <CompareView base={base} head={head} siteBase={siteBase} state={state} update={update} />;
}
