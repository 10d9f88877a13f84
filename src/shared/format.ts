/** Number formatting: the pages (browser and build side) and the command line share it. */

/** Decimal units, as memray's HTML reports and the demo's figures use them (1 MB = 10^6 B). */
const UNITS = ["B", "kB", "MB", "GB", "TB"];

export function formatBytes(sizeBytes: number): string {
  const sign = sizeBytes < 0 ? "-" : "";
  let v = Math.abs(sizeBytes);
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${sign}${u === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${UNITS[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatPercent(part: number, total: number): string {
  if (total === 0) return "0%";
  const p = (100 * part) / total;
  return `${p >= 10 ? p.toFixed(1) : p.toFixed(2)}%`;
}

export function formatDuration(timeMs: number): string {
  return timeMs >= 1000 ? `${(timeMs / 1000).toFixed(2)} s` : `${Math.round(timeMs)} ms`;
}

/** `2026-11-22 12:00:00 UTC`; a time no date can hold (a corrupt header) says so instead of throwing. */
export function formatTime(timeMs: number): string {
  const date = new Date(timeMs);
  if (!Number.isFinite(date.getTime())) return `invalid time (${timeMs} ms)`;
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** `2026-11-22 12:00` for tables; like formatTime, never throws. */
export function formatMinute(timeMs: number): string {
  const date = new Date(timeMs);
  if (!Number.isFinite(date.getTime())) return "invalid date";
  return date.toISOString().slice(0, 16).replace("T", " ");
}

/** memray `tree`'s gradient stops: share of the root → colour. */
const TREE_STOPS: Array<[number, [number, number, number]]> = [
  [0, [97, 193, 44]],
  [0.4, [236, 152, 16]],
  [0.6, [255, 140, 0]], // darkorange
  [1, [205, 92, 92]], // indianred
];

/**
 * The colour memray's `tree` gives a node of `valueBytes` out of `totalBytes`: the gradient at
 * int(100 · value / total) / 100, computed in that order, as memray does.
 */
export function treeShareColour(valueBytes: number, totalBytes: number): [number, number, number] {
  const percentage = totalBytes > 0 ? (100 * valueBytes) / totalBytes : 0;
  const x = Math.trunc(Math.max(0, Math.min(100, percentage))) / 100;
  for (let k = 1; k < TREE_STOPS.length; k++) {
    const [x1, c1] = TREE_STOPS[k]!;
    const [x0, c0] = TREE_STOPS[k - 1]!;
    if (x <= x1) {
      const t = (x - x0) / (x1 - x0);
      return [0, 1, 2].map((j) => Math.round(c0[j]! + (c1[j]! - c0[j]!) * t)) as [number, number, number];
    }
  }
  return TREE_STOPS[TREE_STOPS.length - 1]![1];
}

/** "+40.5%", "-11.0%", "0.0%": a percentage change with its sign. */
export function formatSignedPct(pct: number): string {
  return `${pct > 0 ? "+" : ""}${pct.toFixed(1)}%`;
}

/**
 * A change with its sign, and its percentage when known: "+4.20 MB (+40.0%)", "-1.00 kB (-0.5%)",
 * "+1 MB"; no change is `zero` ("±0 B" by default). The one way the pages, the comment and the
 * command line write a delta.
 */
export function formatChange(delta: number, deltaPct: number | null, format: (n: number) => string, zero = `±${format(0)}`): string {
  if (delta === 0) return zero;
  const value = delta > 0 ? `+${format(delta)}` : `-${format(-delta)}`;
  return deltaPct === null ? value : `${value} (${formatSignedPct(deltaPct)})`;
}

/**
 * A run's short name: its commit (7 hex digits, plus the capture mode when it is not the
 * default), else `fallback` (its id or file name).
 */
export function runLabel(commit: string | null | undefined, mode: string | null, fallback: string): string {
  if (!commit) return fallback;
  return mode ? `${commit.slice(0, 7)} (${mode})` : commit.slice(0, 7);
}
