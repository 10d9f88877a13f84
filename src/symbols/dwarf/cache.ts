/**
 * The parsed DWARF index of one image kept on disk, per build id, so that a new process does
 * not inflate and index the debug file again (libc's: ~120 ms to inflate .debug_info, ~250 ms to
 * index it, measured with `npm run bench:symbols`). It holds the address map and every unit a
 * look-up has read (its line table and functions); a unit not in it is read from the sections,
 * which are then loaded, and the file is rewritten with it.
 * The file (see ../disk-cache.ts) holds JSON; its contents are checked as they are decoded.
 */
import { join } from "node:path";
import { wrapCache, type CacheFormat } from "../disk-cache.ts";
import type { AbbrevTable } from "./abbrev.ts";
import { newUnit, type Fn, type FnAddr, type Line, type Unit, type UnitAddr } from "./model.ts";

export const DWARF_INDEX_FORMAT: CacheFormat = { name: "heaptrail-dwarf-index", version: 1 };

/** The cache file of `buildId` under `dir`. */
export function cachePath(dir: string, buildId: string): string {
  return join(dir, `${buildId}.dwarf-index`);
}

interface Body {
  units: number;
  /** (low, high, unit index) triples, in the map's order. */
  addrs: number[];
  strings: string[];
  parsed: ParsedUnit[];
}

/** [unit, filename, compDir, failed, lines (pc, file, line)…, fns (name, callerFile, callerLine, list)…, lists] */
type ParsedUnit = [number, number, number, number, number[], number[], number[][]];

export function encodeIndex(buildId: string, units: readonly Unit[], addrs: readonly UnitAddr[]): string {
  const unitIndex = new Map<Unit, number>();
  units.forEach((u, i) => unitIndex.set(u, i));
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const str = (s: string | null): number => {
    if (s === null) return -1;
    let i = stringIndex.get(s);
    if (i === undefined) {
      stringIndex.set(s, (i = strings.length));
      strings.push(s);
    }
    return i;
  };
  const flatAddrs: number[] = [];
  for (const a of addrs) flatAddrs.push(a.low, a.high, unitIndex.get(a.unit)!);
  const parsed: ParsedUnit[] = [];
  units.forEach((u, i) => {
    if (u.lines === null) return;
    const lines: number[] = [];
    const fns: number[] = [];
    const lists: number[][] = [];
    if (u.lines !== "failed") {
      for (const l of u.lines) lines.push(l.pc, str(l.file), l.line);
      const fnIndex = new Map<Fn, number>();
      const list = (entries: FnAddr[]): number => {
        const at = lists.length;
        const flat: number[] = [];
        lists.push(flat);
        for (const e of entries) {
          let f = fnIndex.get(e.fn);
          if (f === undefined) {
            fnIndex.set(e.fn, (f = fns.length / 4));
            fns.push(str(e.fn.name), str(e.fn.callerFile), e.fn.callerLine, -1);
            if (e.fn.inlined !== null) fns[f * 4 + 3] = list(e.fn.inlined);
          }
          flat.push(e.low, e.high, f);
        }
        return at;
      };
      list(u.functions);
    }
    parsed.push([i, str(u.filename), str(u.compDir), u.lines === "failed" ? 1 : 0, lines, fns, lists]);
  });
  const body = JSON.stringify({ units: units.length, addrs: flatAddrs, strings, parsed } satisfies Body);
  return wrapCache(DWARF_INDEX_FORMAT, buildId, body);
}

/** What a cache file restores: units (their headers not read yet) and the address map. */
export interface CachedIndex {
  units: Unit[];
  addrs: UnitAddr[];
}

/** The index in a cache file's body, or null when its contents do not check out. */
export function decodeIndex(body: string): CachedIndex | null {
  try {
    return decodeBody(JSON.parse(body) as Body);
  } catch {
    return null;
  }
}

class Bad extends Error {}

function decodeBody(b: Body): CachedIndex {
  const count = (n: unknown, max: number): number => {
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > max) throw new Bad();
    return n;
  };
  const arr = <T>(a: unknown): T[] => {
    if (!Array.isArray(a)) throw new Bad();
    return a as T[];
  };
  const nUnits = count(b.units, 1 << 24);
  const strings = arr<string>(b.strings);
  for (const s of strings) if (typeof s !== "string") throw new Bad();
  const str = (i: unknown): string | null => (i === -1 ? null : strings[count(i, strings.length - 1)]!);
  const units: Unit[] = [];
  for (let i = 0; i < nUnits; i++) units.push(stubUnit());
  const flat = arr<number>(b.addrs);
  if (flat.length % 3 !== 0) throw new Bad();
  const addrs: UnitAddr[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    const low = count(flat[i], Number.MAX_SAFE_INTEGER);
    const high = count(flat[i + 1], Number.MAX_SAFE_INTEGER);
    if (addrs.length > 0 && low < addrs[addrs.length - 1]!.low) throw new Bad();
    addrs.push({ low, high, unit: units[count(flat[i + 2], nUnits - 1)]! });
  }
  for (const p of arr<ParsedUnit>(b.parsed)) {
    arr(p);
    const u = units[count(p[0], nUnits - 1)]!;
    u.filename = str(p[1]);
    u.compDir = str(p[2]);
    if (p[3] === 1) {
      u.lines = "failed";
      continue;
    }
    const flatLines = arr<number>(p[4]);
    if (flatLines.length % 3 !== 0 || flatLines.length === 0) throw new Bad();
    const lines: Line[] = [];
    for (let i = 0; i < flatLines.length; i += 3) {
      const pc = count(flatLines[i], Number.MAX_SAFE_INTEGER);
      if (lines.length > 0 && pc < lines[lines.length - 1]!.pc) throw new Bad();
      const file = str(flatLines[i + 1]);
      if (file === null) throw new Bad();
      const line = flatLines[i + 2];
      if (typeof line !== "number" || !Number.isInteger(line)) throw new Bad();
      lines.push({ pc, file, line, idx: lines.length });
    }
    const fnFlat = arr<number>(p[5]);
    const listsFlat = arr<number[]>(p[6]);
    if (fnFlat.length % 4 !== 0 || listsFlat.length === 0) throw new Bad();
    const fns: Fn[] = [];
    for (let i = 0; i < fnFlat.length; i += 4) {
      const name = str(fnFlat[i]);
      const callerLine = fnFlat[i + 2];
      if (name === null || typeof callerLine !== "number" || !Number.isInteger(callerLine)) throw new Bad();
      fns.push({ name, callerFile: str(fnFlat[i + 1]), callerLine, inlined: null });
    }
    const lists: FnAddr[][] = listsFlat.map((l) => {
      const entries = arr<number>(l);
      if (entries.length % 3 !== 0) throw new Bad();
      const out: FnAddr[] = [];
      for (let i = 0; i < entries.length; i += 3) {
        const low = count(entries[i], Number.MAX_SAFE_INTEGER);
        if (out.length > 0 && low < out[out.length - 1]!.low) throw new Bad();
        out.push({ low, high: count(entries[i + 1], Number.MAX_SAFE_INTEGER), fn: fns[count(entries[i + 2], fns.length - 1)]! });
      }
      return out;
    });
    // A function's inlined calls are a later list than the one holding it (no cycles).
    for (let i = 0; i < fns.length; i++) {
      const ref = fnFlat[i * 4 + 3];
      if (ref !== -1) fns[i]!.inlined = lists[count(ref, lists.length - 1)]!;
    }
    const listAt = new Map(lists.map((l, at) => [l, at]));
    lists.forEach((l, at) => {
      for (const e of l) if (e.fn.inlined !== null && listAt.get(e.fn.inlined)! <= at) throw new Bad();
    });
    u.lines = lines;
    u.functions = lists[0]!;
  }
  return { units, addrs };
}

/** A unit known by its place in the section; its header is filled in when the sections load. */
function stubUnit(): Unit {
  return newUnit({ lowOffset: 0, highOffset: 0, dataStart: 0, dataEnd: 0, dataOffset: 0, version: 0, is64: false, addrSize: 0, abbrevs: null as unknown as AbbrevTable });
}
