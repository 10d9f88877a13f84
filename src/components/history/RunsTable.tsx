/** The benchmark's runs, newest first, paged and filtered by branch, each with its change against its base. */
import { useMemo, useState } from "react";
import type { BenchmarkFile } from "../../content/benchmark-file.ts";
import { urls } from "../../content/urls.ts";
import { formatBytes, formatCount } from "../../shared/format.ts";
import { branchSeries, formatChange, formatDate, type SeriesPoint } from "../../site/history.ts";
import { runName } from "./chart-base.ts";

const PAGE_SIZE = 20;
const short = (commit: string | undefined) => (commit ? commit.slice(0, 7) : null);

export default function RunsTable({ file, base }: { file: BenchmarkFile; base: string }) {
  const [branch, setBranch] = useState(-1);
  const [page, setPage] = useState(0);
  // Peak change of each run against its base (the history model's, named in the file).
  const steps = useMemo(() => {
    const m = new Map<number, SeriesPoint>();
    file.branches.forEach((_, b) => {
      for (const p of branchSeries(file, b, "peakMemoryBytes")) m.set(p.run, p);
    });
    return m;
  }, [file]);
  const rows = useMemo(() => {
    const out: number[] = [];
    for (let i = file.runs.length - 1; i >= 0; i--) if (branch < 0 || file.runs[i]!.branch === branch) out.push(i);
    return out;
  }, [file, branch]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  return (
    <>
      <div className="toolbar">
        <label>
          Branch{" "}
          <select
            value={branch}
            onChange={(e) => {
              setBranch(Number(e.target.value));
              setPage(0);
            }}
          >
            <option value={-1}>All branches</option>
            {file.branches.map((b, i) => (
              <option key={i} value={i}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <span className="note">{rows.length} runs, newest first</span>
      </div>
      <div className="table-scroll">
        <table className="runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Branch</th>
              <th scope="col">Date</th>
              <th scope="col">Message</th>
              <th scope="col" className="num">Peak</th>
              <th scope="col" className="num">Change</th>
              <th scope="col" className="num">Leaked</th>
              <th scope="col" className="num">Allocations</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((i) => {
              const r = file.runs[i]!;
              const s = steps.get(i);
              return (
                <tr key={r.id} className={r.regression ? "regressed" : undefined}>
                  <td>
                    <a href={`${base}${urls.run(r.id)}`}>{runName(r)}</a>
                    {r.commit && (
                      <>
                        {" "}
                        <a className="note" href={`${base}${urls.commit(r.commit)}`} aria-label={`Commit ${short(r.commit)}`}>
                          commit
                        </a>
                      </>
                    )}
                  </td>
                  <td>{file.branches[r.branch]}</td>
                  <td className="nowrap">{formatDate(r.timeMs)}</td>
                  <td className="msg">{r.message ?? ""}</td>
                  {r.failed ? (
                    <td colSpan={4} className="failed">
                      failed
                    </td>
                  ) : (
                    <>
                      <td className="num">{r.peakMemoryBytes === undefined ? "n/a" : formatBytes(r.peakMemoryBytes)}</td>
                      <td className="num">
                        {s && s.deltaBytes !== null ? formatChange(s.deltaBytes, s.deltaPct, formatBytes) : ""}
                        {r.regression && (
                          <span className="flag bad">
                            {r.regression.includes("peak") || r.base === undefined
                              ? "regression"
                              : `regression: leaked ${formatChange((r.leakedBytes ?? 0) - (file.runs[r.base]!.leakedBytes ?? 0), null, formatBytes)}`}
                          </span>
                        )}
                        {r.drift && (
                          <span className="flag warn" title={`Peak above the lowest of the recent runs on ${file.defaultBranch} (${runName(file.runs[r.drift.baseline]!)}): slow growth, no single step`}>
                            drift {formatChange(r.drift.deltaBytes, r.drift.deltaPct, formatBytes)}
                          </span>
                        )}
                        {r.settingsChanged && <span className="flag" title={r.settingsChanged.join(", ")}>settings changed</span>}
                        {r.incomplete && <span className="flag warn">incomplete</span>}
                        {r.pruned && <span className="flag">pruned</span>}
                        {/* The comparison page of exactly this run and its base: built when both keep their flame data. */}
                        {r.base !== undefined && !r.pruned && !file.runs[r.base]!.pruned && (
                          <>
                            {" "}
                            <a className="note" href={`${base}${urls.compare(file.runs[r.base]!.id, r.id)}`} aria-label={`Compare ${runName(r)} with ${runName(file.runs[r.base]!)}`}>
                              compare
                            </a>
                          </>
                        )}
                      </td>
                      <td className="num">{r.leakedBytes === undefined ? "n/a" : formatBytes(r.leakedBytes)}</td>
                      <td className="num">{r.nAllocations === undefined ? "n/a" : formatCount(r.nAllocations)}</td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav className="pager" aria-label="Runs pages">
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Newer
          </button>
          <span>
            Page {current + 1} of {pages}
          </span>
          <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Older
          </button>
        </nav>
      )}
    </>
  );
}

