/**
 * The parsed DWARF index of one image kept on disk, per build id, so that a new process does
 * not inflate and index the debug file again (libc's: ~120 ms to inflate .debug_info, ~250 ms to
 * index it, measured with `npm run bench:symbols`). It holds the address map and every unit a
 * look-up has read (its line table and functions); a unit not in it is read from the sections,
 * which are then loaded, and the file is rewritten with it.
 *
 * The file is a header line (format name, version, build id, SHA-256 of the body) and the body
 * (JSON). A file whose header, digest or contents do not check out is ignored (and replaced):
 * the cache is never trusted blindly. Writes go to a temporary name renamed into place, so a
 * reader never sees half a file; failing to write only costs the next process the parse.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AbbrevTable } from "./abbrev.ts";
import type { Fn, FnAddr, Line, Unit, UnitAddr } from "./model.ts";

const FORMAT = "heaptrail-dwarf-index";
/** Bumped whenever the body's shape or the parse it records changes. */
export const CACHE_VERSION = 1;

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
  const header = JSON.stringify({ format: FORMAT, version: CACHE_VERSION, buildId, sha256: sha256(body) });
  return `${header}\n${body}`;
}

/** What a cache file restores: units (their headers not read yet) and the address map. */
export interface CachedIndex {
  units: Unit[];
  addrs: UnitAddr[];
}

/** The index in `text`, or null when it is not a sound cache file of `buildId`. */
export function decodeIndex(text: string, buildId: string): CachedIndex | null {
  const nl = text.indexOf("\n");
  if (nl < 0) return null;
  try {
    const header = JSON.parse(text.slice(0, nl)) as Record<string, unknown>;
    if (header.format !== FORMAT || header.version !== CACHE_VERSION || header.buildId !== buildId) return null;
    const bodyText = text.slice(nl + 1);
    if (header.sha256 !== sha256(bodyText)) return null;
    return decodeBody(JSON.parse(bodyText) as Body);
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
  return {
    lowOffset: 0,
    highOffset: 0,
    dataStart: 0,
    dataEnd: 0,
    dataOffset: 0,
    version: 0,
    is64: false,
    addrSize: 0,
    abbrevs: null as unknown as AbbrevTable,
    filename: null,
    compDir: null,
    absFilename: null,
    lineOff: 0,
    strOffsetsBase: 0,
    addrBase: 0,
    rnglistsBase: 0,
    dieRead: false,
    lines: null,
    functions: [],
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The cache file's text, or null when there is none (or it cannot be read). */
export function readCacheFile(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

const pending = new Map<string, () => string | null>();
let scheduled = false;
let hooked = false;

/**
 * Writes `produce()` to `path` once the current synchronous work is over (one write per image
 * per capture, not one per unit read), or at process exit, whichever comes first; `produce`
 * returning null writes nothing.
 */
export function scheduleWrite(path: string, produce: () => string | null): void {
  pending.set(path, produce);
  if (!hooked) {
    hooked = true;
    process.once("exit", flushCacheWrites);
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushCacheWrites);
  }
}

/** Writes every pending cache file now. */
export function flushCacheWrites(): void {
  scheduled = false;
  const jobs = [...pending];
  pending.clear();
  for (const [path, produce] of jobs) {
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const text = produce();
      if (text === null) continue;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    } catch {
      // Best effort: an unwritable cache folder only means the next process parses again.
      rmSync(tmp, { force: true });
    }
  }
}
