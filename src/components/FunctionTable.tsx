/**
 * The function table under a flame graph: every function with own and total bytes and
 * allocations (on a comparison: base, head and change), sortable by any column, filtered by a
 * search, the first rows shown. Selecting a row highlights the function's frames in the graph.
 * Names reach the DOM as text only.
 */
import { useMemo, useState } from "react";
import type { FunctionChange, FunctionRow } from "../site/functions.ts";
import { formatBytes, formatCount } from "../shared/format.ts";

/** Rows drawn at once: the table is for finding a function, the search narrows the rest. */
const SHOWN_ROWS = 100;

interface Column<R> {
  id: string;
  label: string;
  value: (r: R) => number;
  format: (v: number) => string;
  /** A change: coloured grew/shrank, sorted by size either way. */
  delta?: boolean;
}

type Unit = "bytes" | "count";
const fmt = (unit: Unit) => (unit === "bytes" ? formatBytes : formatCount);
const signed = (unit: Unit) => (v: number) => (v > 0 ? `+${fmt(unit)(v)}` : v < 0 ? `-${fmt(unit)(-v)}` : "±0");

function runColumns(): Column<FunctionRow>[] {
  return [
    { id: "ownBytes", label: "Own bytes", value: (r) => r.ownBytes, format: formatBytes },
    { id: "totalBytes", label: "Total bytes", value: (r) => r.totalBytes, format: formatBytes },
    { id: "ownCount", label: "Own allocations", value: (r) => r.ownCount, format: formatCount },
    { id: "totalCount", label: "Total allocations", value: (r) => r.totalCount, format: formatCount },
  ];
}

function changeColumns(unit: Unit): Column<FunctionChange>[] {
  const own = unit === "bytes" ? (r: FunctionRow | null) => r?.ownBytes ?? 0 : (r: FunctionRow | null) => r?.ownCount ?? 0;
  const total = unit === "bytes" ? (r: FunctionRow | null) => r?.totalBytes ?? 0 : (r: FunctionRow | null) => r?.totalCount ?? 0;
  const what = unit === "bytes" ? "bytes" : "allocations";
  return [
    { id: "baseTotal", label: `Base total ${what}`, value: (c) => total(c.base), format: fmt(unit) },
    { id: "headTotal", label: `Head total ${what}`, value: (c) => total(c.head), format: fmt(unit) },
    { id: "deltaTotal", label: "Change", value: (c) => total(c.head) - total(c.base), format: signed(unit), delta: true },
    { id: "baseOwn", label: `Base own ${what}`, value: (c) => own(c.base), format: fmt(unit) },
    { id: "headOwn", label: `Head own ${what}`, value: (c) => own(c.head), format: fmt(unit) },
    { id: "deltaOwn", label: "Own change", value: (c) => own(c.head) - own(c.base), format: signed(unit), delta: true },
  ];
}

interface Props<R extends { key: string; name: string; filename: string }> {
  rows: R[];
  columns: Column<R>[];
  selected: string | null;
  onSelect: (key: string | null) => void;
  extra?: React.ReactNode;
}

function Table<R extends { key: string; name: string; filename: string }>({ rows, columns, selected, onSelect, extra }: Props<R>) {
  const [sort, setSort] = useState<{ id: string; descending: boolean }>({ id: columns.find((c) => c.delta)?.id ?? columns[1]!.id, descending: true });
  const [query, setQuery] = useState("");
  const column = columns.find((c) => c.id === sort.id) ?? columns[0]!;
  const sorted = useMemo(() => {
    const q = query.trim().toLowerCase();
    const kept = q ? rows.filter((r) => r.name.toLowerCase().includes(q) || r.filename.toLowerCase().includes(q)) : rows.slice();
    const by = column.delta ? (r: R) => Math.abs(column.value(r)) : column.value;
    if (sort.id === "name") kept.sort((a, b) => (sort.descending ? -1 : 1) * a.name.localeCompare(b.name));
    else kept.sort((a, b) => (sort.descending ? by(b) - by(a) : by(a) - by(b)) || a.name.localeCompare(b.name));
    return kept;
  }, [rows, query, column, sort]);
  const header = (id: string, label: string) => (
    <th key={id} scope="col" aria-sort={sort.id === id ? (sort.descending ? "descending" : "ascending") : "none"} className={id === "name" ? undefined : "num"}>
      <button type="button" onClick={() => setSort((s) => ({ id, descending: s.id === id ? !s.descending : id !== "name" }))}>
        {label}
      </button>
    </th>
  );
  return (
    <section className="functions" aria-label="Functions">
      <div className="toolbar">
        <h3>Functions</h3>
        <label>
          Filter <input type="search" value={query} placeholder="function or file" onChange={(e) => setQuery(e.target.value)} />
        </label>
        {extra}
        {selected !== null && (
          <button type="button" onClick={() => onSelect(null)}>
            Clear selection
          </button>
        )}
      </div>
      <div className="table-scroll">
        <table className="function-table">
          <thead>
            <tr>
              {header("name", "Function")}
              {columns.map((c) => header(c.id, c.label))}
            </tr>
          </thead>
          <tbody>
            {sorted.slice(0, SHOWN_ROWS).map((r) => (
              <tr key={r.key} aria-selected={r.key === selected} className={r.key === selected ? "selected" : undefined}>
                <td className="fn">
                  <button type="button" className="link" aria-pressed={r.key === selected} onClick={() => onSelect(r.key === selected ? null : r.key)}>
                    {r.name}
                  </button>
                  {r.filename && <span className="loc">{r.filename}</span>}
                </td>
                {columns.map((c) => {
                  const v = c.value(r);
                  return (
                    <td key={c.id} className={`num${c.delta ? (v > 0 ? " grew" : v < 0 ? " shrank" : "") : ""}`}>
                      {c.format(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="note">
        {sorted.length > SHOWN_ROWS ? `The first ${SHOWN_ROWS} of ${formatCount(sorted.length)} functions; filter to find others. ` : `${formatCount(sorted.length)} functions. `}
        Own: allocated by the function itself; total: by it and what it calls, once per stack. Select a function to highlight its frames.
      </p>
    </section>
  );
}

export function RunFunctionTable({ rows, selected, onSelect }: { rows: FunctionRow[]; selected: string | null; onSelect: (key: string | null) => void }) {
  const columns = useMemo(() => runColumns(), []);
  return <Table rows={rows} columns={columns} selected={selected} onSelect={onSelect} />;
}

export function CompareFunctionTable({ rows, selected, onSelect }: { rows: FunctionChange[]; selected: string | null; onSelect: (key: string | null) => void }) {
  const [unit, setUnit] = useState<Unit>("bytes");
  const columns = useMemo(() => changeColumns(unit), [unit]);
  const extra = (
    <label>
      Measure{" "}
      <select value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
        <option value="bytes">bytes</option>
        <option value="count">allocations</option>
      </select>
    </label>
  );
  return <Table key={unit} rows={rows} columns={columns} selected={selected} onSelect={onSelect} extra={extra} />;
}
