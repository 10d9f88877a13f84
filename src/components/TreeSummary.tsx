/**
 * memray tree's display (§5.7) as an HTML tree: biggest allocations first, coloured by share,
 * keyboard-driven (arrows; `e` expand down to a fork; `i` hide the import system; `u` show
 * uninteresting frames), with a side panel of the selected frame's details and source. The two
 * filters are the page's (URL) state, shared with the flame graphs.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import type { TreeData } from "../content/columnar.ts";
import { NodeFlag, type DataRef, type SourceFile } from "../content/shapes.ts";
import { loadTree } from "../site/data.ts";
import { frameFunction } from "../site/flame.ts";
import { formatBytes, formatCount, formatPercent, treeShareColour } from "../shared/format.ts";
import type { ViewState } from "../site/url.ts";
import { LoadStatus, useDataFile } from "./useDataFile.tsx";

interface Props {
  dataRef: DataRef;
  base: string;
  source: SourceFile | null;
  state: ViewState;
  update: (patch: Partial<ViewState>) => void;
}

export default function TreeSummary({ dataRef, base, source, state, update }: Props) {
  const tree = useDataFile(loadTree, base, dataRef);
  if (!tree.data) return <LoadStatus what="tree" error={tree.error} retry={tree.retry} />;
  return (
    <TreeView
      tree={tree.data}
      source={source}
      hideImports={state.hideImports}
      hideUninteresting={state.hideUninteresting}
      setFilters={(patch) => update(patch)}
    />
  );
}

interface ViewProps {
  tree: TreeData;
  source: SourceFile | null;
  hideImports: boolean;
  hideUninteresting: boolean;
  setFilters: (patch: { hideImports?: boolean; hideUninteresting?: boolean }) => void;
}

/** Node `i` and its ancestors, root included. */
function withAncestors(tree: TreeData, i: number): number[] {
  const out: number[] = [];
  for (let k = i; k >= 0; k = tree.parent[k]!) out.push(k);
  return out;
}

function TreeView({ tree, source, hideImports, hideUninteresting, setFilters }: ViewProps) {
  const [expanded, setExpanded] = useState<Set<number>>(() => new Set([0]));
  const [selected, setSelected] = useState(0);
  const treeEl = useRef<HTMLUListElement>(null);
  const total = tree.valueBytes[0] || 1;

  const kids = useMemo(() => {
    const memo = new Map<number, number[]>();
    const visibleChildren = (i: number): number[] => {
      let out = memo.get(i);
      if (out) return out;
      out = [];
      for (const c of tree.children[i]!) {
        const f = tree.flags[c]!;
        if (hideImports && f & NodeFlag.IMPORT_SYSTEM) continue;
        if (hideUninteresting && !(f & NodeFlag.INTERESTING)) out.push(...visibleChildren(c));
        else out.push(c);
      }
      out.sort((a, b) => tree.valueBytes[b]! - tree.valueBytes[a]! || a - b);
      memo.set(i, out);
      return out;
    };
    return visibleChildren;
  }, [tree, hideImports, hideUninteresting]);

  // Visible rows in display order, with their depth and parent row.
  const rows = useMemo(() => {
    const out: Array<{ i: number; depth: number; parent: number }> = [];
    const walk = (i: number, depth: number, parent: number) => {
      out.push({ i, depth, parent });
      if (expanded.has(i)) for (const c of kids(i)) walk(c, depth + 1, i);
    };
    walk(0, 0, -1);
    return out;
  }, [kids, expanded]);

  const pos = Math.max(0, rows.findIndex((r) => r.i === selected));
  // A filter change keeps the selection and what was open, as memray's tree does: frames the
  // filter brings back between open frames open too, and a selected frame the filter hides
  // gives way to its nearest shown ancestor.
  const filters = `${hideImports} ${hideUninteresting}`;
  const lastFilters = useRef(filters);
  useEffect(() => {
    if (lastFilters.current === filters) return;
    lastFilters.current = filters;
    setExpanded((prev) => {
      const next = new Set<number>();
      for (const i of prev) for (const k of withAncestors(tree, i)) next.add(k);
      for (const k of withAncestors(tree, selected)) next.add(k);
      return next;
    });
  }, [filters, tree, selected]);
  useEffect(() => {
    if (rows.some((r) => r.i === selected)) return;
    // Only collapsed (its ancestors' opening is on its way from the effect above): keep it.
    const path = withAncestors(tree, selected);
    const hidden =
      (hideImports && path.some((k) => tree.flags[k]! & NodeFlag.IMPORT_SYSTEM)) || (hideUninteresting && selected !== 0 && !(tree.flags[selected]! & NodeFlag.INTERESTING));
    if (!hidden) {
      setExpanded((prev) => (path.every((k) => k === selected || prev.has(k)) ? prev : new Set([...prev, ...path.filter((k) => k !== selected)])));
      return;
    }
    const shown = new Set(rows.map((r) => r.i));
    setSelected(withAncestors(tree, selected).find((k) => shown.has(k)) ?? 0);
  }, [rows, selected, tree, hideImports, hideUninteresting]);
  useEffect(() => {
    document.getElementById(`tree-node-${selected}`)?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  const toggle = (i: number, open?: boolean) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open ?? !next.has(i)) next.add(i);
      else next.delete(i);
      return next;
    });

  const onKey = (e: React.KeyboardEvent) => {
    const row = rows[pos];
    if (!row) return;
    let handled = true;
    switch (e.key) {
      case "ArrowDown":
        setSelected(rows[Math.min(rows.length - 1, pos + 1)]!.i);
        break;
      case "ArrowUp":
        setSelected(rows[Math.max(0, pos - 1)]!.i);
        break;
      case "ArrowRight":
        if (kids(row.i).length > 0 && !expanded.has(row.i)) toggle(row.i, true);
        else if (kids(row.i).length > 0) setSelected(kids(row.i)[0]!);
        break;
      case "ArrowLeft":
        if (expanded.has(row.i) && kids(row.i).length > 0) toggle(row.i, false);
        else if (row.parent >= 0) setSelected(row.parent);
        break;
      case "e": {
        // Expand down the single-child chain, stopping at the first fork.
        const next = new Set(expanded);
        let i = row.i;
        next.add(i);
        while (kids(i).length === 1) {
          i = kids(i)[0]!;
          next.add(i);
        }
        setExpanded(next);
        setSelected(i);
        break;
      }
      case "i":
        setFilters({ hideImports: !hideImports });
        break;
      case "u":
        setFilters({ hideUninteresting: !hideUninteresting });
        break;
      case "Enter":
      case " ":
        toggle(row.i);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  const s = selected;
  const elided = (tree.flags[s]! & NodeFlag.ELIDED) !== 0;
  const sourceLines = source?.files[tree.filename[s]!];
  const context: Array<[number, string]> = [];
  if (sourceLines && tree.lineno[s]! > 0) {
    for (let l = tree.lineno[s]! - 3; l <= tree.lineno[s]! + 3; l++) {
      const text = sourceLines[String(l)];
      if (text !== undefined) context.push([l, text]);
    }
  }

  return (
    <div className="tree-view">
      <div className="toolbar" role="group" aria-label="Tree options">
        <label>
          <input type="checkbox" checked={hideImports} onChange={(e) => setFilters({ hideImports: e.target.checked })} /> Hide import system (i)
        </label>
        <label>
          <input type="checkbox" checked={!hideUninteresting} onChange={(e) => setFilters({ hideUninteresting: !e.target.checked })} /> Show uninteresting frames (u)
        </label>
        <span className="hint">Arrows move and open, e expands to the next fork.</span>
      </div>
      <div className="tree-columns">
        <ul
          className="tree"
          role="tree"
          aria-label="Allocation tree at the peak"
          tabIndex={0}
          ref={treeEl}
          aria-activedescendant={`tree-node-${selected}`}
          onKeyDown={onKey}
        >
          {rows.map(({ i, depth }) => {
            const hasKids = kids(i).length > 0;
            const where = i === 0 || tree.flags[i]! & NodeFlag.ELIDED ? "" : tree.lineno[i] ? `${tree.filename[i]}:${tree.lineno[i]}` : tree.filename[i]!;
            return (
              <li
                key={i}
                id={`tree-node-${i}`}
                role="treeitem"
                aria-level={depth + 1}
                aria-selected={i === selected}
                aria-expanded={hasKids ? expanded.has(i) : undefined}
                className={i === selected ? "selected" : undefined}
                title={where ? `${tree.function[i]} at ${where}` : undefined}
                style={{ paddingLeft: `${depth * 1.2}em` }}
                onClick={() => {
                  setSelected(i);
                  if (hasKids) toggle(i);
                  treeEl.current?.focus();
                }}
              >
                {/* Drawn by the stylesheet: emoji render as empty boxes without an emoji font. */}
                <span aria-hidden="true" className={`tree-icon ${hasKids ? (expanded.has(i) ? "open" : "closed") : "leaf"}`} />
                <span aria-hidden="true" className="share" style={{ background: `rgb(${treeShareColour(tree.valueBytes[i]!, total).join(", ")})` }} />
                <span className="tree-size">
                  {formatBytes(tree.valueBytes[i]!)} ({formatPercent(tree.valueBytes[i]!, total)})
                </span>{" "}
                <span className="tree-fn">{i === 0 ? "<ROOT>" : frameFunction(tree, i)}</span>{" "}
                {where && <span className="tree-loc">{where}</span>}
              </li>
            );
          })}
        </ul>
        <aside className="tree-details" aria-label="Frame details">
          <h3>{s === 0 ? "Root" : elided ? "Elided allocations" : frameFunction(tree, s)}</h3>
          <dl>
            {s !== 0 && !elided && (
              <>
                <dt>Location</dt>
                <dd>
                  {tree.filename[s]}:{tree.lineno[s]}
                </dd>
                {tree.native.has(s) && (
                  <>
                    <dt>Native</dt>
                    <dd>{tree.native.get(s)}</dd>
                  </>
                )}
                <dt>Thread</dt>
                <dd>{tree.thread[s]}</dd>
              </>
            )}
            <dt>Bytes</dt>
            <dd>
              {formatBytes(tree.valueBytes[s]!)} ({formatPercent(tree.valueBytes[s]!, total)} of the peak)
            </dd>
            <dt>Allocations</dt>
            <dd>{formatCount(tree.nAllocations[s]!)}</dd>
            {s !== 0 && (
              <>
                <dt>Flags</dt>
                <dd>
                  {tree.flags[s]! & NodeFlag.IMPORT_SYSTEM ? "import system" : tree.flags[s]! & NodeFlag.INTERESTING ? "application" : "uninteresting (runtime)"}
                </dd>
              </>
            )}
          </dl>
          {context.length > 0 && (
            <pre className="source" aria-label="Source">
              {context.map(([l, text]) => (
                <span key={l} className={l === tree.lineno[s] ? "hl" : undefined}>
                  {String(l).padStart(5)} {text}
                  {"\n"}
                </span>
              ))}
            </pre>
          )}
        </aside>
      </div>
    </div>
  );
}
