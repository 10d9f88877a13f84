/**
 * DWARF 2–5 look-ups the way libbacktrace (memray's symbolizer) makes them: compilation units
 * found through their address ranges, then, lazily per unit, the line table and the functions
 * (subprograms with their inlined subroutines). `lookup(pc)` returns libbacktrace's callback
 * sequence: innermost inlined frame first, then its callers, each with the name libbacktrace
 * picks (linkage name, else the specification's/abstract origin's, else DW_AT_name).
 *
 * The parts, one seam each: dwarf/abbrev.ts (abbreviation tables), dwarf/forms.ts (attribute
 * values and strings), dwarf/ranges.ts (address ranges), dwarf/units.ts (the unit index and
 * address map), dwarf/lines.ts (line programs), dwarf/functions.ts (functions and inlining),
 * dwarf/cache.ts (the index on disk).
 */
import { SymbolsFormatError } from "./bytes.ts";
import { Abbreviations } from "./dwarf/abbrev.ts";
import { readCache, scheduleWrite } from "./disk-cache.ts";
import { cachePath, decodeIndex, DWARF_INDEX_FORMAT, encodeIndex } from "./dwarf/cache.ts";
import { FormReader } from "./dwarf/forms.ts";
import { findFunction, readFunctions, reportInlined } from "./dwarf/functions.ts";
import { lineAt, readLines, type LineHeader } from "./dwarf/lines.ts";
import type { DwarfContext, DwarfFrame, DwarfSections, Unit, UnitAddr } from "./dwarf/model.ts";
import { arangesAddressMap, readUnitDie, readUnitHeaders, scanAddressMap, unitAtOffset, unitRangeAt } from "./dwarf/units.ts";

export type { DwarfFrame, DwarfSections } from "./dwarf/model.ts";

export interface DwarfCacheOptions {
  /** The folder of index files (one per build id). */
  dir: string;
  /** The image's build id (the key: a file of another build is never used). */
  buildId: string;
}

export class DwarfData {
  private ctx: DwarfContext | null = null;
  private units: Unit[] = [];
  private addrs: UnitAddr[] = [];
  private readonly load: () => DwarfSections;
  private loadError: unknown = null;
  /** Set when a unit failed for want of its sections: that must not be written down as its parse. */
  private cacheDisabled = false;
  private readonly cacheFile: string | null;
  private readonly buildId: string;
  /** Bytes held (sections plus a rough per-unit cost), for the image cache's budget. */
  sizeBytes = 0;

  /**
   * `source`: the sections, or a function reading them (called only when the cache lacks a
   * unit a look-up needs). `cache`: where the parsed index is kept between processes.
   */
  constructor(source: DwarfSections | (() => DwarfSections), cache?: DwarfCacheOptions) {
    this.load = typeof source === "function" ? source : () => source;
    this.cacheFile = cache === undefined ? null : cachePath(cache.dir, cache.buildId);
    this.buildId = cache?.buildId ?? "";
    const text = this.cacheFile === null ? null : readCache(this.cacheFile, DWARF_INDEX_FORMAT, this.buildId);
    const cached = text === null ? null : decodeIndex(text);
    if (cached !== null) {
      this.units = cached.units;
      this.addrs = cached.addrs;
      this.sizeBytes = text!.length * 2;
      return;
    }
    this.loadSections();
    if (this.cacheFile !== null) this.scheduleCacheWrite();
  }

  /**
   * libbacktrace's frames for `pc` (a file address), innermost first; null when no unit covers
   * it. A frame with a null `fn` carries a file only: memray ignores those.
   */
  lookup(pc: number): DwarfFrame[] | null {
    return this.lookupPc(pc, 0);
  }

  private lookupPc(pc: number, depth: number): DwarfFrame[] | null {
    const addrs = this.addrs;
    let entry = unitRangeAt(addrs, pc);
    if (entry < 0) return null;
    let unit = addrs[entry]!.unit;
    // Skip units whose line table proved useless, as libbacktrace does.
    while (entry > 0 && pc >= addrs[entry - 1]!.low && pc < addrs[entry - 1]!.high) {
      if (unit.lines !== "failed") break;
      entry--;
      unit = addrs[entry]!.unit;
    }
    let fresh = false;
    if (unit.lines === null) {
      fresh = true;
      this.readUnitDetails(unit);
    }
    if (unit.lines === "failed" || unit.lines === null) {
      if (fresh && depth < this.units.length) return this.lookupPc(pc, depth + 1);
      return [{ fn: null, file: null, line: 0 }];
    }
    const ln = lineAt(unit.lines, pc);
    if (ln === null) {
      if (unit.absFilename === null) {
        let f = unit.filename;
        if (f !== null && !f.startsWith("/") && unit.compDir !== null) f = `${unit.compDir}/${f}`;
        unit.absFilename = f;
      }
      return [{ fn: null, file: unit.absFilename, line: 0 }];
    }
    const fm = findFunction(unit.functions, pc);
    if (fm === null) return [{ fn: null, file: ln.file, line: ln.line }];
    const out: DwarfFrame[] = [];
    const where = { file: ln.file as string | null, line: ln.line };
    reportInlined(pc, fm.fn, out, where);
    out.push({ fn: fm.fn.name, file: where.file, line: where.line });
    return out;
  }

  /**
   * Reads the sections and the unit headers; with no index yet, builds the address map too.
   * After a cache hit the headers are matched to the cached units by their place.
   */
  private loadSections(): DwarfContext {
    if (this.ctx !== null) return this.ctx;
    const s = this.load();
    const ctx: DwarfContext = {
      s,
      abbrevs: new Abbreviations(s.abbrev),
      forms: new FormReader(s),
      unitAtOffset: (offset) => unitAtOffset(this.units, offset),
    };
    const headers = readUnitHeaders(ctx);
    if (this.units.length === 0 && this.addrs.length === 0) {
      this.units = headers;
      this.addrs = (s.aranges ? arangesAddressMap(ctx, headers, s.aranges) : null) ?? scanAddressMap(ctx, headers);
    } else {
      if (headers.length !== this.units.length) throw new SymbolsFormatError(`symbol cache lists ${this.units.length} units, the debug file ${headers.length}`);
      headers.forEach((h, i) => {
        const u = this.units[i]!;
        Object.assign(u, { ...h, filename: u.filename, compDir: u.compDir, lines: u.lines, functions: u.functions });
      });
    }
    this.sizeBytes += Object.values(s).reduce((n, b: Uint8Array | null | undefined) => n + (b?.length ?? 0), 0);
    this.ctx = ctx;
    return ctx;
  }

  /** The unit's line table, then its functions (libbacktrace keeps none when either fails). */
  private readUnitDetails(u: Unit): void {
    let ctx: DwarfContext;
    try {
      if (this.loadError !== null) throw this.loadError;
      ctx = this.loadSections();
    } catch (e) {
      // Sections that cannot be read after a cache hit: the unit is as good as unreadable.
      this.loadError = e;
      this.cacheDisabled = true;
      if (!(e instanceof SymbolsFormatError || e instanceof RangeError || (e as { code?: string }).code !== undefined)) throw e;
      u.lines = "failed";
      return;
    }
    if (this.cacheFile !== null) this.scheduleCacheWrite();
    let header: LineHeader;
    try {
      readUnitDie(ctx, u);
      const read = readLines(ctx.s, ctx.forms, u);
      header = read.header;
      u.lines = read.lines;
    } catch (e) {
      if (!(e instanceof SymbolsFormatError)) throw e;
      u.lines = "failed";
      return;
    }
    try {
      u.functions = readFunctions(ctx, u, header);
      this.sizeBytes += u.functions.length * 64 + u.lines.length * 40;
    } catch (e) {
      // libbacktrace keeps no functions for a unit it could not read.
      if (!(e instanceof SymbolsFormatError)) throw e;
      u.functions = [];
    }
  }

  private scheduleCacheWrite(): void {
    scheduleWrite(this.cacheFile!, () => (this.cacheDisabled ? null : encodeIndex(this.buildId, this.units, this.addrs)));
  }
}
