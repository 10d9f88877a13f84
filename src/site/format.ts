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

export function formatTime(timeMs: number): string {
  return new Date(timeMs).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
