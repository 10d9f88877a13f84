/**
 * The picker (`/compare/`): choose a benchmark and two of its runs; both runs' data are loaded in
 * the browser and compared with the same view as a compare page. The choice lives in the URL.
 */
import { useEffect, useState } from "react";
import { compareRunLabel, type CompareRunsFile } from "../content/compare.ts";
import { formatBytes } from "../shared/format.ts";
import { CompareView, useCompareState } from "./ComparePage.tsx";

interface Props {
  /** Benchmarks and the path of their runs file (relative to the site base). */
  benchmarks: Array<{ name: string; path: string }>;
  siteBase: string;
}

const files = new Map<string, Promise<CompareRunsFile>>();

function loadRuns(url: string): Promise<CompareRunsFile> {
  let p = files.get(url);
  if (!p) {
    p = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return (await r.json()) as CompareRunsFile;
    });
    files.set(url, p);
  }
  return p;
}

export default function ComparePicker({ benchmarks, siteBase }: Props) {
  const [state, update] = useCompareState();
  const chosen = benchmarks.find((b) => b.name === state.benchmark) ?? null;
  const [file, setFile] = useState<CompareRunsFile | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!chosen) return;
    let live = true;
    setError(null);
    loadRuns(`${siteBase}${chosen.path}`).then(
      (f) => live && setFile(f),
      (e: unknown) => live && setError(String(e)),
    );
    return () => {
      live = false;
    };
  }, [chosen?.path, siteBase]);

  const runs = file && chosen && file.benchmark === chosen.name ? file.runs : [];
  // Newest first in the lists.
  const options = [...runs].reverse();
  const base = runs.find((r) => r.id === state.base) ?? null;
  const head = runs.find((r) => r.id === state.head) ?? null;
  const describe = (r: (typeof runs)[number]) =>
    `${compareRunLabel(r)}${r.branch ? ` · ${r.branch}` : ""} · ${new Date(r.timeMs).toISOString().slice(0, 10)} · peak ${formatBytes(r.peakMemoryBytes)}`;

  return (
    <div className="picker">
      <form className="toolbar" role="group" aria-label="Runs to compare" onSubmit={(e) => e.preventDefault()}>
        <label>
          Benchmark{" "}
          <select value={chosen?.name ?? ""} onChange={(e) => update({ benchmark: e.target.value, base: "", head: "" })}>
            <option value="">Choose…</option>
            {benchmarks.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        {(["base", "head"] as const).map((side) => (
          <label key={side}>
            {side === "base" ? "Base run" : "Head run"}{" "}
            <select value={(side === "base" ? base : head)?.id ?? ""} disabled={runs.length === 0} onChange={(e) => update({ [side]: e.target.value })}>
              <option value="">Choose…</option>
              {options.map((r) => (
                <option key={r.id} value={r.id}>
                  {describe(r)}
                </option>
              ))}
            </select>
          </label>
        ))}
      </form>
      {error && (
        <p className="error" role="alert">
          Could not load the runs: {error}
        </p>
      )}
      {!chosen && <p>Choose a benchmark, then the two runs to compare.</p>}
      {chosen && runs.length > 0 && (!base || !head) && <p>Choose a base run and a head run.</p>}
      {base && head && base.id === head.id && <p>Choose two different runs.</p>}
      {base && head && base.id !== head.id && <CompareView key={`${base.id}/${head.id}`} base={base} head={head} siteBase={siteBase} state={state} update={update} />}
    </div>
  );
}
