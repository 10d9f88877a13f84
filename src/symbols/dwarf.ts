/**
 * DWARF 2–5 look-ups the way libbacktrace (memray's symbolizer) makes them: compilation units
 * found through their address ranges, then, lazily per unit, the line table and the functions
 * (subprograms with their inlined subroutines). `lookup(pc)` returns libbacktrace's callback
 * sequence: innermost inlined frame first, then its callers, each with the name libbacktrace
 * picks (linkage name, else the specification's/abstract origin's, else DW_AT_name).
 *
 * The parts, one seam each: dwarf/abbrev.ts (abbreviation tables), dwarf/forms.ts (attribute
 * values and strings), dwarf/ranges.ts (address ranges), dwarf/units.ts (the unit index and
 * address map), dwarf/lines.ts (line programs), dwarf/functions.ts (functions and inlining).
 */
import { SymbolsFormatError } from "./bytes.ts";
import { Abbreviations } from "./dwarf/abbrev.ts";
import { FormReader } from "./dwarf/forms.ts";
import { findFunction, readFunctions, reportInlined } from "./dwarf/functions.ts";
import { lineAt, readLines, type LineHeader } from "./dwarf/lines.ts";
import type { DwarfContext, DwarfFrame, DwarfSections, Unit, UnitAddr } from "./dwarf/model.ts";
import { readUnits, unitAtOffset, unitRangeAt } from "./dwarf/units.ts";

export type { DwarfFrame, DwarfSections } from "./dwarf/model.ts";

export class DwarfData {
  private readonly ctx: DwarfContext;
  private readonly units: Unit[] = [];
  private readonly addrs: UnitAddr[] = [];
  /** Bytes held (sections plus a rough per-unit cost), for the image cache's budget. */
  sizeBytes: number;

  constructor(sections: DwarfSections) {
    const units = this.units;
    this.ctx = {
      s: sections,
      abbrevs: new Abbreviations(sections.abbrev),
      forms: new FormReader(sections),
      unitAtOffset: (offset) => unitAtOffset(units, offset),
    };
    this.sizeBytes = Object.values(sections).reduce((n, b: Uint8Array | null) => n + (b?.length ?? 0), 0);
    readUnits(this.ctx, this.units, this.addrs);
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

  /** The unit's line table, then its functions (libbacktrace keeps none when either fails). */
  private readUnitDetails(u: Unit): void {
    let header: LineHeader;
    try {
      const read = readLines(this.ctx.s, this.ctx.forms, u);
      header = read.header;
      u.lines = read.lines;
    } catch (e) {
      if (!(e instanceof SymbolsFormatError)) throw e;
      u.lines = "failed";
      return;
    }
    try {
      u.functions = readFunctions(this.ctx, u, header);
      this.sizeBytes += u.functions.length * 64 + u.lines.length * 40;
    } catch (e) {
      // libbacktrace keeps no functions for a unit it could not read.
      if (!(e instanceof SymbolsFormatError)) throw e;
      u.functions = [];
    }
  }
}
