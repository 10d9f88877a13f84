/**
 * One image (executable or shared object) as memray's libbacktrace state sees it: its symbol
 * tables (the image's own first, then its debug file's), and the DWARF of the separate debug
 * file when one is found (by build id under <debugRoot>/.build-id/, else by .gnu_debuglink),
 * otherwise the image's own DWARF. Everything is read on first use.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { backtraceSort, cstringAt, glibcBsearch, SymbolsFormatError } from "./bytes.ts";
import { demangleSymbol } from "./demangle.ts";
import { readCache, scheduleWrite } from "./disk-cache.ts";
import { decodeSymbolTables, encodeSymbolTables, SYMBOL_TABLES_FORMAT, symbolTablesPath } from "./symbol-cache.ts";
import { DwarfData, type DwarfCacheOptions, type DwarfSections } from "./dwarf.ts";
import { ElfFile, type ElfSymbol } from "./elf.ts";

/** A frame as memray reports it: function (demangled as memray does), file ("<unknown>" when none), line. */
export interface ResolvedFrame {
  function: string;
  filename: string;
  lineno: number;
}

const MAX_CACHED_PCS = 1 << 18;

export interface ImageOptions {
  /** Where separate debug files live. Default "/usr/lib/debug" (as libbacktrace). */
  debugRoot?: string;
  /**
   * A folder for parsed DWARF indexes and sorted symbol tables, per build id (dwarf/cache.ts,
   * symbol-cache.ts), so the next process skips inflating and indexing the debug files.
   * Default: none (parsed in memory only).
   */
  cacheDir?: string;
}

export class ElfImage {
  readonly path: string;
  /** PT_LOAD (vaddr, memsz) pairs, for checking that this is the file the capture saw. */
  readonly loads: Array<[number, number]>;
  readonly buildId: string | null;
  /** The separate debug file used, if any. */
  readonly debugFile: string | null;
  /** The image's symbol table, then its debug file's; read on the first symbol look-up. */
  private symbolTables: ElfSymbol[][] | null = null;
  private readonly symbolSources: string[];
  private readonly symbolCache: string | null;
  private dwarf: DwarfData | null = null;
  private dwarfError: string | null = null;
  private readonly dwarfLoader: (() => DwarfData | null) | null;

  constructor(path: string, options: ImageOptions = {}) {
    this.path = path;
    const elf = ElfFile.open(path);
    try {
      this.loads = elf.loads;
      this.buildId = elf.buildId();
      const debugPath = findDebugFile(path, elf, options.debugRoot ?? "/usr/lib/debug");
      this.debugFile = debugPath;
      this.symbolSources = debugPath === null ? [path] : [path, debugPath];
      const cache = options.cacheDir !== undefined && this.buildId !== null ? { dir: options.cacheDir, buildId: this.buildId } : undefined;
      this.symbolCache = cache === undefined ? null : symbolTablesPath(cache.dir, cache.buildId);
      if (debugPath !== null) {
        this.dwarfLoader = () => loadDwarf(debugPath, cache);
      } else {
        this.dwarfLoader = elf.section(".debug_info") || elf.section(".zdebug_info") ? () => loadDwarf(path, cache) : null;
      }
    } finally {
      elf.close();
    }
  }

  /** Bytes held by the parsed DWARF (0 until loaded). */
  get dwarfBytes(): number {
    return this.dwarf?.sizeBytes ?? 0;
  }

  /** Frees the DWARF (it is read again on the next look-up that needs it). */
  dropDwarf(): void {
    this.dwarf = null;
  }

  /**
   * memray's frames for a file address (the ip minus the load address, minus 1 as memray
   * corrects return addresses): DWARF frames with a function name; else the symbol table's
   * name (or "<unknown>"); null when the image has no symbol table either (memray drops it).
   */
  resolve(pc: number): ResolvedFrame[] | null {
    let frames = this.resolved.get(pc);
    if (frames === undefined) {
      frames = this.resolveUncached(pc);
      // Bounded: a process symbolizing many captures keeps at most this many answers per image.
      if (this.resolved.size >= MAX_CACHED_PCS) this.resolved.clear();
      this.resolved.set(pc, frames);
    }
    return frames;
  }

  private readonly resolved = new Map<number, ResolvedFrame[] | null>();

  private resolveUncached(pc: number): ResolvedFrame[] | null {
    const dwarf = this.loadedDwarf();
    if (dwarf !== null) {
      try {
        const frames = dwarf.lookup(pc);
        if (frames !== null) {
          const out: ResolvedFrame[] = [];
          for (const f of frames) if (f.fn !== null && f.fn !== "") out.push({ function: demangleSymbol(f.fn), filename: f.file ?? "<unknown>", lineno: f.line });
          if (out.length > 0) return out;
        }
      } catch (e) {
        if (!(e instanceof SymbolsFormatError || e instanceof RangeError)) throw e;
      }
    }
    if (this.tables().length === 0) return null;
    const name = this.symbolName(pc);
    return [{ function: name === null || name === "" ? "<unknown>" : demangleSymbol(name), filename: "<unknown>", lineno: 0 }];
  }

  /** libbacktrace's elf_syminfo: each table in turn, glibc bsearch on [address, address+size). */
  symbolName(pc: number): string | null {
    for (const table of this.tables()) {
      const i = glibcBsearch(table, table.length, (s) => (pc < s.address ? -1 : pc >= s.address + s.size ? 1 : 0));
      if (i >= 0) return cstringAt(table[i]!.strtab, table[i]!.nameOffset);
    }
    return null;
  }

  private tables(): ElfSymbol[][] {
    if (this.symbolTables === null && this.symbolCache !== null) {
      const body = readCache(this.symbolCache, SYMBOL_TABLES_FORMAT, this.buildId!);
      if (body !== null) this.symbolTables = decodeSymbolTables(body, this.symbolSources.length);
      if (this.symbolTables !== null) return this.symbolTables;
    }
    if (this.symbolTables === null) {
      this.symbolTables = [];
      let complete = true;
      for (const source of this.symbolSources) {
        try {
          const elf = ElfFile.open(source);
          try {
            const symbols = elf.symbols();
            if (symbols !== null) this.symbolTables.push(sortSymbols(symbols));
          } finally {
            elf.close();
          }
        } catch (e) {
          // libbacktrace gives up on the image (no symbols at all) when a table is unreadable.
          if (!(e instanceof SymbolsFormatError || e instanceof RangeError || (e as { code?: string }).code !== undefined)) throw e;
          this.symbolTables = [];
          complete = false;
          break;
        }
      }
      if (complete && this.symbolCache !== null) {
        const tables = this.symbolTables;
        scheduleWrite(this.symbolCache, () => encodeSymbolTables(this.buildId!, this.symbolSources.length, tables));
      }
    }
    return this.symbolTables;
  }

  private loadedDwarf(): DwarfData | null {
    if (this.dwarf !== null || this.dwarfLoader === null || this.dwarfError !== null) return this.dwarf;
    try {
      this.dwarf = this.dwarfLoader();
    } catch (e) {
      if (!(e instanceof SymbolsFormatError || e instanceof RangeError)) throw e;
      this.dwarfError = (e as Error).message;
    }
    return this.dwarf;
  }
}

function sortSymbols(symbols: ElfSymbol[]): ElfSymbol[] {
  backtraceSort(symbols, (a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return symbols;
}

/** The file's DWARF (null without .debug_info and .debug_abbrev); sections read only when needed. */
function loadDwarf(path: string, cache: DwarfCacheOptions | undefined): DwarfData | null {
  const elf = ElfFile.open(path);
  try {
    const has = (name: string) => elf.section(name) !== undefined || elf.section(`.z${name.slice(1)}`) !== undefined;
    if (!has(".debug_info") || !has(".debug_abbrev")) return null;
  } finally {
    elf.close();
  }
  return new DwarfData(() => readSections(path), cache);
}

function readSections(path: string): DwarfSections {
  const elf = ElfFile.open(path);
  try {
    const info = elf.debugSection(".debug_info");
    const abbrev = elf.debugSection(".debug_abbrev");
    if (info === null || abbrev === null) throw new SymbolsFormatError(`${path}: no .debug_info or .debug_abbrev`);
    return {
      info,
      abbrev,
      line: elf.debugSection(".debug_line"),
      str: elf.debugSection(".debug_str"),
      lineStr: elf.debugSection(".debug_line_str"),
      addr: elf.debugSection(".debug_addr"),
      strOffsets: elf.debugSection(".debug_str_offsets"),
      ranges: elf.debugSection(".debug_ranges"),
      rnglists: elf.debugSection(".debug_rnglists"),
      aranges: elf.debugSection(".debug_aranges"),
    };
  } finally {
    elf.close();
  }
}

/** The separate debug file libbacktrace would read: by build id, else by .gnu_debuglink (CRC checked). */
function findDebugFile(path: string, elf: ElfFile, debugRoot: string): string | null {
  const id = elf.buildId();
  if (id !== null && id.length > 2) {
    const byId = join(debugRoot, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`);
    if (isFile(byId)) return byId;
  }
  const link = elf.debuglink();
  if (link === null) return null;
  // libbacktrace resolves symlinks in the image's own name before looking beside it.
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // keep the name as given
  }
  const dir = dirname(real);
  const candidates = [join(dir, link.name), join(dir, ".debug", link.name), join(debugRoot, dir, link.name)];
  // The first file found is the one: a CRC mismatch there means no debug file (as libbacktrace).
  const found = candidates.find(isFile);
  if (found === undefined) return null;
  if (link.crc !== 0 && crc32(readFileSync(found)) >>> 0 !== link.crc) return null;
  return found;
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}
