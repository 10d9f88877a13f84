/**
 * From a diff tree to d3-flame-graph's input and colours: width is head bytes (or base bytes, so
 * vanished stacks can be seen), colour is the change (grew red, shrank blue, the stronger the
 * bigger the change against the largest change shown).
 */
import type { DiffTree } from "../content/diff.ts";
import { NodeFlag } from "../content/shapes.ts";
import { drawnTree, findPath, hiddenFrame } from "./flame.ts";
import type { FramePath } from "./url.ts";

export type DiffWidth = "head" | "base";

export interface DiffDatum {
  idx: number;
  name: string;
  value: number;
  children: DiffDatum[];
}

export interface DiffFilter {
  hideUninteresting: boolean;
  hideImports: boolean;
}

/** The label drawn in a frame; new and vanished stacks are named so, not only coloured. */
export function diffLabel(d: DiffTree, i: number): string {
  if (i === 0) return "\u200Eroot\u200E";
  const f = d.flags[i]!;
  // A frame missing where narrow frames were merged is still marked; its tooltip adds the caveat.
  const mark = f & NodeFlag.NEW ? "[new] " : f & NodeFlag.VANISHED ? "[gone] " : "";
  if (f & NodeFlag.OTHER) return `\u200E${mark}smaller frames\u200E`;
  const where = d.filename[i] ? ` at ${d.filename[i]}:${d.lineno[i]}` : "";
  return `\u200E${mark}${d.function[i]}${where}\u200E`;
}

/** The drawn tree; frames with no bytes on the chosen side are left out. */
export function buildDiffData(d: DiffTree, width: DiffWidth, f: DiffFilter): DiffDatum {
  const value = width === "head" ? d.headBytes : d.baseBytes;
  const make = (i: number): DiffDatum => ({ idx: i, name: diffLabel(d, i), value: value[i]!, children: [] });
  return drawnTree(make(0), d.children[0]!, d.children, (i) => value[i]! > 0, (i) => hiddenFrame(d, i, f), make);
}

/** The node a frame path names, or -1 (the wider of two matching siblings, on either side, first; dead ends backtrack). */
export function findDiffFramePath(d: DiffTree, path: FramePath): number {
  return findPath(d, path, (i) => Math.max(d.headBytes[i]!, d.baseBytes[i]!));
}

/** Whether frame `i`'s function or file contains `term` (case-insensitive, plain text). */
export function diffMatches(d: DiffTree, i: number, term: string): boolean {
  if (!term || i === 0 || d.flags[i]! & NodeFlag.OTHER) return false;
  const t = term.toLowerCase();
  return d.function[i]!.toLowerCase().includes(t) || d.filename[i]!.toLowerCase().includes(t);
}

/** Same as functionKey(…, byNative false) of the runs' trees: the function table's row of frame `i`. */
export function diffFunctionKey(d: DiffTree, i: number): string {
  return `${d.function[i]}\u0000${d.filename[i]}`;
}

/** The largest change of any frame but the root: the scale colours are measured against. */
export function maxAbsDelta(d: DiffTree): number {
  let m = 0;
  for (let i = 1; i < d.size; i++) m = Math.max(m, Math.abs(d.headBytes[i]! - d.baseBytes[i]!));
  return m;
}

/** Hue of growth and shrinkage, for the colour mapper and the legend. */
export const GREW_HUE = 4;
export const SHRANK_HUE = 214;

/** A frame's colour: grew red, shrank blue, unchanged grey; intensity by the size of the change. */
export function diffColour(d: DiffTree, i: number, scaleBytes: number): string {
  const delta = d.headBytes[i]! - d.baseBytes[i]!;
  if (delta === 0 || scaleBytes <= 0) return d.flags[i]! & NodeFlag.OTHER ? "hsl(220, 6%, 70%)" : "hsl(220, 8%, 82%)";
  const t = Math.sqrt(Math.min(1, Math.abs(delta) / scaleBytes));
  const hue = delta > 0 ? GREW_HUE : SHRANK_HUE;
  const sat = 35 + 55 * t;
  // Down to 56% at the strongest change: #111 labels stay ≥ 4.5:1 on red and blue alike.
  const light = 86 - 30 * t;
  return `hsl(${hue}, ${sat.toFixed(1)}%, ${light.toFixed(1)}%)`;
}

/** "+1.2 MB" style sign for a byte delta, and its percent of the base ("new" when the base is 0). */
export function deltaPercent(baseBytes: number, headBytes: number): string {
  if (baseBytes === 0) return headBytes === 0 ? "0%" : "new";
  const p = ((headBytes - baseBytes) / baseBytes) * 100;
  return `${p > 0 ? "+" : ""}${p.toFixed(1)}%`;
}
