/**
 * The tab list of a report's views and its panel (run pages and comparisons): one tab stop,
 * arrow keys (and Home/End) move between views, as the WAI-ARIA tabs pattern has it.
 */
import type { ReactNode } from "react";

interface Props<V extends string> {
  views: readonly V[];
  labels: Record<V, string>;
  current: V;
  onSelect: (view: V) => void;
  children: ReactNode;
}

export default function ViewTabs<V extends string>({ views, labels, current, onSelect, children }: Props<V>) {
  const onKey = (e: React.KeyboardEvent) => {
    const i = views.indexOf(current);
    const n = views.length;
    const next =
      e.key === "ArrowRight" ? views[(i + 1) % n] : e.key === "ArrowLeft" ? views[(i - 1 + n) % n] : e.key === "Home" ? views[0] : e.key === "End" ? views[n - 1] : undefined;
    if (next === undefined) return;
    e.preventDefault();
    onSelect(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label="Views" className="tabs" onKeyDown={onKey}>
        {views.map((v) => (
          <button
            key={v}
            id={`tab-${v}`}
            role="tab"
            type="button"
            aria-selected={current === v}
            aria-controls="view-panel"
            tabIndex={current === v ? 0 : -1}
            onClick={() => onSelect(v)}
          >
            {labels[v]}
          </button>
        ))}
      </div>
      <div id="view-panel" role="tabpanel" aria-labelledby={`tab-${current}`} className="panel">
        {children}
      </div>
    </>
  );
}
