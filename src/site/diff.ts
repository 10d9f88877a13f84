/**
 * From a diff tree to d3-flame-graph's input and colours: width is head bytes (or base bytes, so
 * vanished stacks can be seen), colour is the change (grew red, shrank blue, the stronger the
 * bigger the change against the largest change shown).
 */
import { DiffFlag, type DiffTree } from "../analysis/diff.ts";
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
  const mark = f & DiffFlag.NEW ? "[new] " : f & DiffFlag.VANISHED ? "[gone] " : "";
  if (f & DiffFlag.OTHER) return `\u200E${mark}smaller frames\u200E`;
  const where = d.filename[i] ? ` at ${d.filename[i]}:${d.lineno[i]}` : "";
  return `\u200E${mark}${d.function[i]}${where}\u200E`;
}

function hidden(d: DiffTree, i: number, f: DiffFilter): boolean {
  const flags = d.flags[i]!;
  if (flags & DiffFlag.OTHER) return false;
  if (f.hideUninteresting && !(flags & DiffFlag.INTERESTING)) return true;
  if (f.hideImports && flags & DiffFlag.IMPORT_SYSTEM) return true;
  return false;
}

/** The drawn tree; frames with no bytes on the chosen side are left out. */
export function buildDiffData(d: DiffTree, width: DiffWidth, f: DiffFilter): DiffDatum {
  const value = width === "head" ? d.headBytes : d.baseBytes;
  const root: DiffDatum = { idx: 0, name: diffLabel(d, 0), value: value[0]!, children: [] };
  const work: Array<[number, DiffDatum]> = d.children[0]!.map((c) => [c, root]);
  while (work.length > 0) {
    const [i, parent] = work.pop()!;
    if (value[i]! <= 0) continue;
    if (hidden(d, i, f)) {
      for (const c of d.children[i]!) work.push([c, parent]);
      continue;
    }
    const datum: DiffDatum = { idx: i, name: diffLabel(d, i), value: value[i]!, children: [] };
    parent.children.push(datum);
    for (const c of d.children[i]!) work.push([c, datum]);
  }
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    n.children.sort((a, b) => b.value - a.value || a.idx - b.idx);
    stack.push(...n.children);
  }
  return root;
}

/** The frames from the root (excluded) down to node `i`: what a zoom link stores (as run pages). */
export function diffFramePath(d: DiffTree, i: number): FramePath {
  const out: FramePath = [];
  for (let k = i; k > 0; k = d.parent[k]!) out.push({ function: d.function[k]!, filename: d.filename[k]!, lineno: d.lineno[k]! });
  return out.reverse();
}

/** The node a frame path names, or -1 (the wider of two matching siblings first, dead ends backtrack). */
export function findDiffFramePath(d: DiffTree, path: FramePath): number {
  if (path.length === 0) return -1;
  const visit = (node: number, depth: number): number => {
    if (depth === path.length) return node;
    const want = path[depth]!;
    const candidates = d.children[node]!.filter((c) => d.function[c] === want.function && d.filename[c] === want.filename && d.lineno[c] === want.lineno);
    candidates.sort((a, b) => Math.max(d.headBytes[b]!, d.baseBytes[b]!) - Math.max(d.headBytes[a]!, d.baseBytes[a]!) || a - b);
    for (const c of candidates) {
      const found = visit(c, depth + 1);
      if (found >= 0) return found;
    }
    return -1;
  };
  return visit(0, 0);
}

/** Whether frame `i`'s function or file contains `term` (case-insensitive, plain text). */
export function diffMatches(d: DiffTree, i: number, term: string): boolean {
  if (!term || i === 0 || d.flags[i]! & DiffFlag.OTHER) return false;
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
  if (delta === 0 || scaleBytes <= 0) return d.flags[i]! & DiffFlag.OTHER ? "hsl(220, 6%, 70%)" : "hsl(220, 8%, 82%)";
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
