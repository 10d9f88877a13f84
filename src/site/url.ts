/** View state in the URL hash, so a copied link reproduces what was on screen. */

export const VIEWS = ["peak", "leaks", "temporary", "inverted", "temporal", "tree", "stats"] as const;
export type View = (typeof VIEWS)[number];

export interface ViewState {
  view: View;
  /** Icicle (root on top, default) or flame (root at the bottom). */
  layout: "icicle" | "flame";
  hideUninteresting: boolean;
  hideImports: boolean;
  /** Thread label, or "" for all threads. */
  thread: string;
  search: string;
  /** Node index of the zoomed frame in the current tree, or -1. */
  zoom: number;
  /** Temporal range in ms since the capture start, or null for the whole run. */
  rangeMs: [number, number] | null;
  temporalMode: "hwm" | "leaks";
}

export const DEFAULT_STATE: ViewState = {
  view: "peak",
  layout: "icicle",
  hideUninteresting: true,
  hideImports: false,
  thread: "",
  search: "",
  zoom: -1,
  rangeMs: null,
  temporalMode: "hwm",
};

export function parseState(hash: string): ViewState {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const s: ViewState = { ...DEFAULT_STATE };
  const view = p.get("view");
  if (view && (VIEWS as readonly string[]).includes(view)) s.view = view as View;
  if (p.get("layout") === "flame") s.layout = "flame";
  if (p.get("uninteresting") === "1") s.hideUninteresting = false;
  if (p.get("imports") === "0") s.hideImports = true;
  s.thread = p.get("thread") ?? "";
  s.search = p.get("q") ?? "";
  const zoom = Number(p.get("zoom"));
  if (p.has("zoom") && Number.isInteger(zoom) && zoom >= 0) s.zoom = zoom;
  const range = p.get("range")?.split("-").map(Number);
  if (range && range.length === 2 && range.every((x) => Number.isFinite(x))) s.rangeMs = [range[0]!, range[1]!];
  if (p.get("mode") === "leaks") s.temporalMode = "leaks";
  return s;
}

export function formatState(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.view !== DEFAULT_STATE.view) p.set("view", s.view);
  if (s.layout === "flame") p.set("layout", "flame");
  if (!s.hideUninteresting) p.set("uninteresting", "1");
  if (s.hideImports) p.set("imports", "0");
  if (s.thread) p.set("thread", s.thread);
  if (s.search) p.set("q", s.search);
  if (s.zoom >= 0) p.set("zoom", String(s.zoom));
  if (s.rangeMs) p.set("range", `${Math.round(s.rangeMs[0])}-${Math.round(s.rangeMs[1])}`);
  if (s.temporalMode === "leaks") p.set("mode", "leaks");
  const text = p.toString();
  return text ? `#${text}` : "";
}
