/**
 * The unit index: every compilation unit's header, and the address map libbacktrace builds
 * from them (build_address_map): a unit DIE's own ranges, else those of the subprograms in it,
 * adjacent ranges of one unit merged, sorted by address.
 */
import { backtraceSort, ByteCursor, SymbolsFormatError } from "../bytes.ts";
import * as K from "./constants.ts";
import { initialLength, type Value } from "./forms.ts";
import type { DwarfContext, Unit, UnitAddr } from "./model.ts";
import { addRanges, newRange, updateRange } from "./ranges.ts";

/** Every unit of .debug_info (type units skipped), with its ranges appended to `addrs` (sorted). */
export function readUnits(ctx: DwarfContext, units: Unit[], addrs: UnitAddr[]): void {
  const info = new ByteCursor(ctx.s.info);
  let unitOffset = 0;
  while (info.left > 0) {
    const unitStart = info.pos;
    const { length, is64 } = initialLength(info);
    const body = info.sub(length);
    const version = body.u16();
    if (version < 2 || version > 5) throw new SymbolsFormatError(`unrecognized DWARF version ${version}`);
    let unitType = 0;
    if (version >= 5) {
      unitType = body.u8();
      if (unitType === 2 || unitType === 6) continue; // type units hold nothing we need
    }
    let addrSize = version >= 5 ? body.u8() : 0;
    const abbrevOffset = is64 ? body.u64() : body.u32();
    const abbrevs = ctx.abbrevs.tableAt(abbrevOffset);
    if (version < 5) addrSize = body.u8();
    if (unitType === 4 || unitType === 5) body.skip(8); // dwo_id
    const unit: Unit = {
      lowOffset: unitOffset,
      highOffset: unitOffset + length + (is64 ? 12 : 4),
      dataStart: body.pos,
      dataEnd: body.end,
      dataOffset: body.pos - unitStart,
      version,
      is64,
      addrSize,
      abbrevs,
      filename: null,
      compDir: null,
      absFilename: null,
      lineOff: 0,
      strOffsetsBase: 0,
      addrBase: 0,
      rnglistsBase: 0,
      lines: null,
      functions: [],
    };
    unitOffset = unit.highOffset;
    units.push(unit);
    findAddressRanges(ctx, unit, body, 0, addrs);
  }
  backtraceSort(addrs, compareUnitAddrs);
}

function findAddressRanges(ctx: DwarfContext, u: Unit, buf: ByteCursor, depth: number, addrs: UnitAddr[]): boolean {
  if (depth > K.MAX_DEPTH) throw new SymbolsFormatError("DIE nesting too deep");
  const { forms, abbrevs } = ctx;
  const v = forms.v;
  while (buf.left > 0) {
    const code = buf.uleb();
    if (code === 0) return true;
    const abbrev = abbrevs.lookup(u.abbrevs, code);
    const pool = abbrevs.pool;
    const isUnit = abbrev.tag === K.T_COMPILE_UNIT || abbrev.tag === K.T_SKELETON;
    const pcr = newRange();
    let nameVal: string | null | undefined;
    let compDirVal: string | null | undefined;
    let pendingName: Value | null = null;
    let pendingDir: Value | null = null;
    for (let i = 0, a = abbrev.start; i < abbrev.count; i++, a += 3) {
      forms.read(pool[a + 1]!, pool[a + 2]!, buf, u);
      const name = pool[a]!;
      if (name === K.A_LOW_PC || name === K.A_HIGH_PC || name === K.A_RANGES) updateRange(name, v, pcr);
      else if (!isUnit) continue;
      else if (name === K.A_STMT_LIST && (v.kind === K.V_UINT || v.kind === K.V_REF_SECTION)) u.lineOff = v.num;
      else if (name === K.A_NAME) pendingName = { ...v };
      else if (name === K.A_COMP_DIR) pendingDir = { ...v };
      else if (name === K.A_STR_OFFSETS_BASE && v.kind === K.V_REF_SECTION) u.strOffsetsBase = v.num;
      else if (name === K.A_ADDR_BASE && v.kind === K.V_REF_SECTION) u.addrBase = v.num;
      else if (name === K.A_RNGLISTS_BASE && v.kind === K.V_REF_SECTION) u.rnglistsBase = v.num;
    }
    // Strings after the whole DIE: DW_AT_str_offsets_base may come after DW_AT_name.
    if (pendingName !== null) nameVal = forms.string(pendingName, u);
    if (pendingDir !== null) compDirVal = forms.string(pendingDir, u);
    if (nameVal !== undefined && nameVal !== null) u.filename = nameVal;
    if (compDirVal !== undefined && compDirVal !== null) u.compDir = compDirVal;
    if (isUnit || abbrev.tag === K.T_SUBPROGRAM) {
      addRanges(ctx.s, forms, u, pcr.low, pcr, (low, high) => {
        const last = addrs[addrs.length - 1];
        if (last !== undefined && last.unit === u && (low === last.high || low === last.high + 1)) {
          if (high > last.high) last.high = high;
          return;
        }
        addrs.push({ low, high, unit: u });
      });
      if (isUnit && (pcr.haveRanges || (pcr.haveLow && pcr.haveHigh))) return true;
    }
    if (abbrev.hasChildren) findAddressRanges(ctx, u, buf, depth + 1, addrs);
  }
  return true;
}

/** The unit holding .debug_info offset `offset` (units sorted by offset), or null. */
export function unitAtOffset(units: readonly Unit[], offset: number): Unit | null {
  let lo = 0;
  let hi = units.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = units[mid]!;
    if (offset < m.lowOffset) hi = mid;
    else if (offset >= m.highOffset) lo = mid + 1;
    else return m;
  }
  return null;
}

/**
 * The entry of the sorted map whose range holds pc, as libbacktrace's search finds it (the last
 * of those starting at or below pc, walking back over entries with the same start), or −1.
 */
export function unitRangeAt(addrs: readonly UnitAddr[], pc: number): number {
  let i = lastAtOrBelow(addrs, pc);
  if (i < 0) return -1;
  while (i + 1 < addrs.length && addrs[i + 1]!.low === pc) i++;
  for (;;) {
    if (pc < addrs[i]!.high) return i;
    if (i === 0 || addrs[i - 1]!.low < addrs[i]!.low) return -1;
    i--;
  }
}

function compareUnitAddrs(a: UnitAddr, b: UnitAddr): number {
  if (a.low !== b.low) return a.low < b.low ? -1 : 1;
  if (a.high !== b.high) return a.high < b.high ? 1 : -1;
  return a.unit.lineOff < b.unit.lineOff ? -1 : a.unit.lineOff > b.unit.lineOff ? 1 : 0;
}

/** Index of the last entry whose `low` is ≤ pc, or −1 (what libbacktrace's neighbour search finds). */
export function lastAtOrBelow(a: ReadonlyArray<{ low: number }>, pc: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.low <= pc) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
