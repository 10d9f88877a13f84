/** Compare pages' state in the URL hash: the view, the width side, filters, and the picker's runs. */
import type { DiffWidth } from "./diff.ts";
import { formatFramePath, parseFramePath, type FramePath } from "./url.ts";

export const DIFF_VIEWS = ["peak", "leaks", "temporary", "inverted"] as const;
export type DiffView = (typeof DIFF_VIEWS)[number];

export interface CompareState {
  view: DiffView;
  width: DiffWidth;
  layout: "icicle" | "flame";
  hideUninteresting: boolean;
  hideImports: boolean;
  search: string;
  /** The zoomed frame (as on run pages), or null. */
  zoom: FramePath | null;
  /** The picker's choice (empty on a fixed compare page). */
  benchmark: string;
  base: string;
  head: string;
}

export const DEFAULT_COMPARE_STATE: CompareState = {
  view: "peak",
  width: "head",
  layout: "icicle",
  hideUninteresting: true,
  hideImports: false,
  search: "",
  zoom: null,
  benchmark: "",
  base: "",
  head: "",
};

export function parseCompareState(hash: string): CompareState {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const s: CompareState = { ...DEFAULT_COMPARE_STATE };
  const view = p.get("view");
  if (view && (DIFF_VIEWS as readonly string[]).includes(view)) s.view = view as DiffView;
  if (p.get("width") === "base") s.width = "base";
  if (p.get("layout") === "flame") s.layout = "flame";
  if (p.get("uninteresting") === "1") s.hideUninteresting = false;
  if (p.get("imports") === "0") s.hideImports = true;
  s.search = p.get("q") ?? "";
  s.zoom = parseFramePath(p.get("zoom") ?? "");
  s.benchmark = p.get("benchmark") ?? "";
  s.base = p.get("base") ?? "";
  s.head = p.get("head") ?? "";
  return s;
}

export function formatCompareState(s: CompareState): string {
  const p = new URLSearchParams();
  if (s.benchmark) p.set("benchmark", s.benchmark);
  if (s.base) p.set("base", s.base);
  if (s.head) p.set("head", s.head);
  if (s.view !== "peak") p.set("view", s.view);
  if (s.width === "base") p.set("width", "base");
  if (s.layout === "flame") p.set("layout", "flame");
  if (!s.hideUninteresting) p.set("uninteresting", "1");
  if (s.hideImports) p.set("imports", "0");
  if (s.search) p.set("q", s.search);
  if (s.zoom && s.zoom.length > 0) p.set("zoom", formatFramePath(s.zoom));
  const text = p.toString();
  return text ? `#${text}` : "";
}
