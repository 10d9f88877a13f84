/**
 * A benchmark's history, drawn from its data file (fetched once): the trend across commits with
 * a metric switch and other branches overlaid (history/TrendChart), the call-site trend
 * (history/CallSiteChart) and the paginated runs table (history/RunsTable).
 */
import { useEffect, useMemo, useState } from "react";
import type { BenchmarkFile } from "../content/benchmark-file.ts";
import { METRICS, type Metric } from "../site/history.ts";
import CallSiteChart from "./history/CallSiteChart.tsx";
import RunsTable from "./history/RunsTable.tsx";
import TrendChart from "./history/TrendChart.tsx";

export default function BenchmarkHistory({ name, dataUrl, base }: { name: string; dataUrl: string; base: string }) {
  const [file, setFile] = useState<BenchmarkFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The metric and the overlaid branches live in the hash (#metric=…&overlay=a,b), so a link shows the same chart.
  // Read on the client only (the page is also rendered at build time, where there is no URL);
  // nothing but "Loading" is drawn before the file arrives, so hydration sees the same markup.
  const hash = new URLSearchParams(typeof location === "undefined" ? "" : location.hash.slice(1));
  const [metric, setMetric] = useState<Metric>(() => {
    const m = hash.get("metric");
    return m !== null && m in METRICS ? (m as Metric) : "peakMemoryBytes";
  });
  const [overlayNames] = useState(() => hash.getAll("overlay"));
  const [overlay, setOverlay] = useState<number[]>([]);
  useEffect(() => {
    if (file && overlayNames.length > 0) setOverlay(overlayNames.map((b) => file.branches.indexOf(b)).filter((i) => i >= 0 && file.branches[i] !== file.defaultBranch));
  }, [file, overlayNames]);
  useEffect(() => {
    if (!file) return;
    const p = new URLSearchParams();
    if (metric !== "peakMemoryBytes") p.set("metric", metric);
    for (const i of overlay) p.append("overlay", file.branches[i]!);
    const next = p.toString() ? `#${p}` : "";
    if (next !== location.hash) history.replaceState(null, "", `${location.pathname}${location.search}${next}`);
  }, [file, metric, overlay]);
  useEffect(() => {
    fetch(dataUrl)
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return (await r.json()) as BenchmarkFile;
      })
      .then(setFile, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [dataUrl]);
  const main = file ? file.branches.indexOf(file.defaultBranch) : -1;
  const branches = useMemo(() => (main < 0 ? overlay : [main, ...overlay]), [main, overlay]);
  if (error) return <p className="error" role="alert">Could not load the history of {name}: {error}</p>;
  if (!file) return <p className="loading">Loading the history…</p>;
  return (
    <>
      <section aria-labelledby="trend-heading">
        <h2 id="trend-heading">Trend</h2>
        <div className="toolbar">
          <fieldset className="choices">
            <legend>Metric</legend>
            {(Object.keys(METRICS) as Metric[]).map((m) => (
              <label key={m}>
                <input type="radio" name="metric" value={m} checked={metric === m} onChange={() => setMetric(m)} /> {METRICS[m].label}
              </label>
            ))}
          </fieldset>
          {file.branches.length > 1 && (
            <fieldset className="choices branches">
              <legend>Overlay branches</legend>
              {file.branches.map((b, i) =>
                i === main ? null : (
                  <label key={i}>
                    <input
                      type="checkbox"
                      checked={overlay.includes(i)}
                      onChange={(e) => setOverlay(e.target.checked ? [...overlay, i] : overlay.filter((x) => x !== i))}
                    />{" "}
                    {b}
                  </label>
                ),
              )}
            </fieldset>
          )}
        </div>
        <TrendChart file={file} metric={metric} branches={branches} base={base} name={name} />
        <p className="note">Click a point to open its run. ▲ marks a regression (peak up more than 10% and 1 MiB on the run before on its branch); a shaded band marks drift (by default the peak more than 10% and 1 MiB above the lowest of the last 10 runs, with no single step that large); a dotted line marks changed capture settings, where the trend breaks.</p>
      </section>
      <section aria-labelledby="callsites-heading">
        <h2 id="callsites-heading">Call sites at the peak</h2>
        {main >= 0 && <CallSiteChart file={file} branch={main} base={base} name={name} />}
      </section>
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        <RunsTable file={file} base={base} />
      </section>
    </>
  );
}
