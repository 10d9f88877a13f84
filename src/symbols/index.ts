/**
 * Native symbols for `--native` captures, as memray makes them at report time: each ip is placed
 * in its image through the capture's memory map, then resolved in that ELF file (and its debug
 * file) like libbacktrace does: DWARF frames (inlined ones first), else the symbol table's name,
 * else the ip is dropped. Images are parsed once per process; a missing image, or one whose
 * PT_LOAD segments differ from the capture's (another build), is reported once and its ips
 * dropped, as memray drops ips it cannot resolve.
 *
 *   const symbolize = createSymbolizer(capture.tables, { warn: (m) => process.stderr.write(m) });
 *   analyzeCapture(path, { symbolize });
 */
import { openSync, readSync, closeSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { NativeSymbolizer } from "../analysis/flame.ts";
import type { FrameKey } from "../analysis/model.ts";
import type { CaptureTables } from "../reader/index.ts";
import { SymbolsFormatError } from "./bytes.ts";
import { ElfImage, type ImageOptions } from "./image.ts";

export { ElfImage, type ResolvedFrame } from "./image.ts";
export { flushCacheWrites } from "./disk-cache.ts";

export interface SymbolizerOptions extends ImageOptions {
  /** Told once per image that cannot be used (missing, another build, not ELF). Default: nothing. */
  warn?: (message: string) => void;
  /** DWARF kept parsed across images before the least recently used is freed. Default 1 GiB. */
  maxDwarfBytes?: number;
}

/** A native frame with where it came from, for tooltips (module path and offset in it). */
export interface NativeFrameKey extends FrameKey {
  module: string;
  offset: number;
}

type Loaded = { image: ElfImage } | { error: string; macho: boolean };

// Images by path (and debug root), shared by every capture of this process.
const images = new Map<string, Loaded>();

function loadImage(path: string, options: ImageOptions): Loaded {
  // The cache folder is part of the key: an image's parsed DWARF is kept in the folder it was loaded for.
  const key = `${options.debugRoot ?? ""}\u0000${options.cacheDir ?? ""}\u0000${path}`;
  let loaded = images.get(key);
  if (loaded !== undefined) {
    images.delete(key); // most recently used last
    images.set(key, loaded);
    return loaded;
  }
  try {
    loaded = { image: new ElfImage(path, options) };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!(e instanceof SymbolsFormatError || e instanceof RangeError || code !== undefined)) throw e;
    const reason = code === "ENOENT" ? "is not on this machine" : code !== undefined ? `cannot be read (${code})` : `is not a usable ELF file (${(e as Error).message})`;
    loaded = { error: reason, macho: isMachO(path) };
  }
  images.set(key, loaded);
  return loaded;
}

function isMachO(path: string): boolean {
  if (/\.dylib$|\.framework\//.test(path)) return true;
  try {
    const fd = openSync(path, "r");
    const b = new Uint8Array(4);
    try {
      readSync(fd, b, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
    const magic = new DataView(b.buffer).getUint32(0, false);
    return [0xfeedfacf, 0xcffaedfe, 0xfeedface, 0xcefaedfe, 0xcafebabe].includes(magic);
  } catch {
    return false;
  }
}

/** Frees parsed DWARF of the least recently used images beyond the budget. */
function trimDwarf(budget: number): void {
  let total = 0;
  for (const l of images.values()) if ("image" in l) total += l.image.dwarfBytes;
  for (const l of images.values()) {
    if (total <= budget) return;
    if ("image" in l && l.image.dwarfBytes > 0) {
      total -= l.image.dwarfBytes;
      l.image.dropDwarf();
    }
  }
}

/** The capture's segments of `module` (its first map generation that lists it). */
function captureSegments(tables: CaptureTables, module: string): Array<[number, number]> | null {
  for (const generation of tables.mapGenerations) {
    for (const image of generation) if (image.filename === module) return image.segments;
  }
  return null;
}

function sameLayout(a: Array<[number, number]>, b: Array<[number, number]>): boolean {
  if (a.length !== b.length) return false;
  const key = (s: Array<[number, number]>) => s.map(([v, m]) => `${v}:${m}`).sort().join(",");
  return key(a) === key(b);
}

/**
 * The factory `analyzeCapture`'s `symbolizerFor` option takes:
 * `analyzeCapture(path, { symbolizerFor: nativeSymbols({ warn }) })`.
 */
export function nativeSymbols(options: SymbolizerOptions = {}): (tables: CaptureTables) => NativeSymbolizer {
  return (tables) => createSymbolizer(tables, options);
}

/**
 * The folder of parsed DWARF indexes for commands without a content folder (`flamegraph`,
 * `tree`): $HEAPTRAIL_SYMBOL_CACHE when set ("off": no cache), else
 * $XDG_CACHE_HOME/heaptrail/symbols, else ~/.cache/heaptrail/symbols.
 */
export function userSymbolCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.HEAPTRAIL_SYMBOL_CACHE;
  if (set !== undefined && set !== "") return set === "off" ? undefined : set;
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg.startsWith("/") ? xdg : join(homedir(), ".cache"), "heaptrail", "symbols");
}

/** The folder of parsed DWARF indexes under a content folder (`ingest`, `build`, `ci`): <content>/.cache/symbols. */
export function contentSymbolCacheDir(contentDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.HEAPTRAIL_SYMBOL_CACHE === "off" ? undefined : join(contentDir, ".cache", "symbols");
}

/** Warnings on stderr, one line each (the CLI's default). */
export const warnOnStderr = (message: string): void => {
  process.stderr.write(message);
};

/** A symbolizer for one capture's native frames (memray's `SymbolResolver`). */
export function createSymbolizer(tables: CaptureTables, options: SymbolizerOptions = {}): NativeSymbolizer {
  const budget = options.maxDwarfBytes ?? 2 ** 30;
  const usable = new Map<string, ElfImage | null>();
  // Per module, per offset: the module names are the tables' own strings, so this lookup hashes
  // nothing new. A `${module}\0${offset}` key cost 3.6 s of a 14 s ingest of a native docutils
  // capture (each tree asks again for every native frame of every location).
  const cache = new Map<string, Map<number, NativeFrameKey[] | null>>();
  let machoWarned = false;
  const imageFor = (module: string): ElfImage | null => {
    let image = usable.get(module);
    if (image !== undefined) return image;
    const loaded = loadImage(module, options);
    image = null;
    if ("image" in loaded) {
      const segments = captureSegments(tables, module);
      if (segments !== null && !sameLayout(segments, loaded.image.loads)) {
        options.warn?.(`heaptrail: native frames in ${module} dropped: this file is not the one the capture saw (its segments differ: another build?)\n`);
      } else image = loaded.image;
    } else if (loaded.macho) {
      if (!machoWarned) options.warn?.(`heaptrail: ${module} is a macOS (Mach-O) image: symbolizing macOS captures is out of scope, their native frames are dropped\n`);
      machoWarned = true;
    } else {
      options.warn?.(`heaptrail: native frames in ${module} dropped: the file ${loaded.error}\n`);
    }
    usable.set(module, image);
    return image;
  };
  return (module, offset) => {
    if (module === null) return null;
    let byOffset = cache.get(module);
    if (byOffset === undefined) cache.set(module, (byOffset = new Map()));
    let frames = byOffset.get(offset);
    if (frames !== undefined) return frames;
    const image = imageFor(module);
    frames = null;
    if (image !== null && offset >= 1) {
      // memray asks libbacktrace about ip − 1: the call instruction, not the return address.
      const resolved = image.resolve(offset - 1);
      if (resolved !== null) frames = resolved.map((f) => ({ ...f, module, offset }));
      trimDwarf(budget);
    }
    byOffset.set(offset, frames);
    return frames;
  };
}
