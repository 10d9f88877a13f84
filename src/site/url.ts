/** View state in the URL hash, so a copied link reproduces what was on screen. */

export const VIEWS = ["peak", "leaks", "temporary", "inverted", "temporal", "tree", "stats"] as const;
export type View = (typeof VIEWS)[number];

/**
 * A frame by what it is, not where it sits in one file: `function`, `file` and `line` of each
 * frame from the tree's root down (the root itself excluded). A link keeps pointing at the same
 * frame when pruning or a rebuild renumbers the nodes.
 */
export type FramePath = Array<{ function: string; filename: string; lineno: number }>;

export interface ViewState {
  view: View;
  /** Icicle (root on top, default) or flame (root at the bottom). */
  layout: "icicle" | "flame";
  /** Hide memray/runpy/CPython frames (flame graphs and the tree; default on, as memray). */
  hideUninteresting: boolean;
  /** Hide the import machinery's frames (default off, as memray). */
  hideImports: boolean;
  /** Thread label, or "" for all threads. */
  thread: string;
  /** Show a chain of unresolved native frames as one frame (default off). */
  collapseUnresolved: boolean;
  search: string;
  /** The zoomed frame, or null. */
  zoom: FramePath | null;
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
  collapseUnresolved: false,
  search: "",
  zoom: null,
  rangeMs: null,
  temporalMode: "hwm",
};

// In the hash a frame is `function<TAB>file:line`, frames joined by newlines (%09 and %0A once
// URL-encoded): names may hold any printable character ("<module>", "malloc@plt", "a/b:c").
const FRAME_SEPARATOR = "\n";
const FIELD_SEPARATOR = "\t";

export function formatFramePath(path: FramePath): string {
  return path.map((f) => `${f.function}${FIELD_SEPARATOR}${f.filename}:${f.lineno}`).join(FRAME_SEPARATOR);
}

export function parseFramePath(text: string): FramePath | null {
  if (!text) return null;
  const out: FramePath = [];
  for (const part of text.split(FRAME_SEPARATOR)) {
    // The function name is up to the first tab, the line after the last ":".
    const at = part.indexOf(FIELD_SEPARATOR);
    const colon = part.lastIndexOf(":");
    if (at < 0 || colon < at) return null;
    const lineno = Number(part.slice(colon + 1));
    if (!Number.isInteger(lineno) || lineno < 0) return null;
    out.push({ function: part.slice(0, at), filename: part.slice(at + 1, colon), lineno });
  }
  return out;
}

export function parseState(hash: string): ViewState {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const s: ViewState = { ...DEFAULT_STATE };
  const view = p.get("view");
  if (view && (VIEWS as readonly string[]).includes(view)) s.view = view as View;
  if (p.get("layout") === "flame") s.layout = "flame";
  // `irrelevant=show` / `imports=hide` say what they do; the older `uninteresting=1` and
  // `imports=0` links still open as they did.
  if (p.get("irrelevant") === "show" || p.get("uninteresting") === "1") s.hideUninteresting = false;
  if (p.get("imports") === "hide" || p.get("imports") === "0") s.hideImports = true;
  s.thread = p.get("thread") ?? "";
  if (p.get("native") === "collapse") s.collapseUnresolved = true;
  s.search = p.get("q") ?? "";
  s.zoom = parseFramePath(p.get("zoom") ?? "");
  const range = p.get("range")?.split("-").map(Number);
  if (range && range.length === 2 && range.every((x) => Number.isFinite(x))) s.rangeMs = [range[0]!, range[1]!];
  if (p.get("mode") === "leaks") s.temporalMode = "leaks";
  return s;
}

export function formatState(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.view !== DEFAULT_STATE.view) p.set("view", s.view);
  if (s.layout === "flame") p.set("layout", "flame");
  if (!s.hideUninteresting) p.set("irrelevant", "show");
  if (s.hideImports) p.set("imports", "hide");
  if (s.thread) p.set("thread", s.thread);
  if (s.collapseUnresolved) p.set("native", "collapse");
  if (s.search) p.set("q", s.search);
  if (s.zoom && s.zoom.length > 0) p.set("zoom", formatFramePath(s.zoom));
  if (s.rangeMs) p.set("range", `${Math.round(s.rangeMs[0])}-${Math.round(s.rangeMs[1])}`);
  if (s.temporalMode === "leaks") p.set("mode", "leaks");
  const text = p.toString();
  return text ? `#${text}` : "";
}
