/**
 * The unit index: every compilation unit's header, and the address map libbacktrace builds
 * from them (build_address_map): a unit DIE's own ranges, else those of the subprograms in it,
 * adjacent ranges of one unit merged, sorted by address.
 *
 * That walk reads every DIE of units without their own ranges (libc's debug file: ~250 ms for
 * its header-only units). When .debug_aranges is there, the map is read from it instead, and a
 * unit's DIE only when a look-up lands in it: GCC writes one arange set per unit with code, the
 * unit's own ranges, so the two maps are the same (test/symbols/dwarf-index.test.ts checks it
 * on this machine's libc, python and compiled programs).
 */
import { backtraceSort, ByteCursor, SymbolsFormatError } from "../bytes.ts";
import * as K from "./constants.ts";
import { initialLength, type Value } from "./forms.ts";
import type { Abbrev } from "./abbrev.ts";
import { newUnit, type DwarfContext, type Unit, type UnitAddr } from "./model.ts";
import { addRanges, newRange, updateRange, type PcRange } from "./ranges.ts";

/** Every unit header of .debug_info (type units skipped), in section order; DIEs are not read. */
export function readUnitHeaders(ctx: DwarfContext): Unit[] {
  const units: Unit[] = [];
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
    const unit = newUnit({
      lowOffset: unitOffset,
      highOffset: unitOffset + length + (is64 ? 12 : 4),
      dataStart: body.pos,
      dataEnd: body.end,
      dataOffset: body.pos - unitStart,
      version,
      is64,
      addrSize,
      abbrevs,
    });
    unitOffset = unit.highOffset;
    units.push(unit);
  }
  return units;
}

/** libbacktrace's address map: every unit's DIEs walked for ranges (and the unit DIE's attributes read). */
export function scanAddressMap(ctx: DwarfContext, units: readonly Unit[]): UnitAddr[] {
  const addrs: UnitAddr[] = [];
  for (const u of units) {
    findAddressRanges(ctx, u, new ByteCursor(ctx.s.info, u.dataStart, u.dataEnd), 0, addrs);
    u.dieRead = true;
  }
  backtraceSort(addrs, compareUnitAddrs);
  return addrs;
}

/**
 * The same map from .debug_aranges (null when a set names no unit's offset: the map is then
 * scanned). Ties between units are broken by their line offset, read from their DIE then.
 */
export function arangesAddressMap(ctx: DwarfContext, units: readonly Unit[], aranges: Uint8Array): UnitAddr[] | null {
  const byOffset = new Map<number, Unit>();
  for (const u of units) byOffset.set(u.lowOffset, u);
  const addrs: UnitAddr[] = [];
  const c = new ByteCursor(aranges);
  while (c.left > 0) {
    const setStart = c.pos;
    const { length, is64 } = initialLength(c);
    const set = c.sub(length);
    if (set.u16() !== 2) return null;
    const unit = byOffset.get(is64 ? set.u64() : set.u32());
    const addrSize = set.u8();
    if (set.u8() !== 0 || unit === undefined || addrSize !== unit.addrSize) return null;
    // Tuples start at a multiple of twice the address size from the set's start.
    const misaligned = (set.pos - setStart) % (2 * addrSize);
    if (misaligned !== 0) set.skip(2 * addrSize - misaligned);
    while (set.left >= 2 * addrSize) {
      const low = set.address(addrSize);
      const size = set.address(addrSize);
      if (low === 0 && size === 0) break;
      const last = addrs[addrs.length - 1];
      const high = low + size;
      if (last !== undefined && last.unit === unit && (low === last.high || low === last.high + 1)) {
        if (high > last.high) last.high = high;
      } else addrs.push({ low, high, unit });
    }
  }
  backtraceSort(addrs, (a, b) => {
    if (a.low !== b.low || a.high !== b.high || a.unit === b.unit) return compareUnitAddrs(a, b);
    readUnitDie(ctx, a.unit);
    readUnitDie(ctx, b.unit);
    return compareUnitAddrs(a, b);
  });
  return addrs;
}

/** Reads the unit DIE's attributes (line table offset, name, directory, DWARF 5 bases) once. */
export function readUnitDie(ctx: DwarfContext, u: Unit): void {
  if (u.dieRead) return;
  u.dieRead = true;
  const buf = new ByteCursor(ctx.s.info, u.dataStart, u.dataEnd);
  const code = buf.uleb();
  if (code === 0) return;
  const abbrev = ctx.abbrevs.lookup(u.abbrevs, code);
  if (abbrev.tag === K.T_COMPILE_UNIT || abbrev.tag === K.T_SKELETON) readDie(ctx, u, buf, abbrev, true, newRange());
}

function findAddressRanges(ctx: DwarfContext, u: Unit, buf: ByteCursor, depth: number, addrs: UnitAddr[]): boolean {
  if (depth > K.MAX_DEPTH) throw new SymbolsFormatError("DIE nesting too deep");
  const { forms, abbrevs } = ctx;
  while (buf.left > 0) {
    const code = buf.uleb();
    if (code === 0) return true;
    const abbrev = abbrevs.lookup(u.abbrevs, code);
    const isUnit = abbrev.tag === K.T_COMPILE_UNIT || abbrev.tag === K.T_SKELETON;
    const pcr = newRange();
    readDie(ctx, u, buf, abbrev, isUnit, pcr);
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

/** One DIE's attributes: its ranges into `pcr`, and on a unit DIE the unit's own attributes. */
function readDie(ctx: DwarfContext, u: Unit, buf: ByteCursor, abbrev: Abbrev, isUnit: boolean, pcr: PcRange): void {
  const { forms, abbrevs } = ctx;
  const v = forms.v;
  const pool = abbrevs.pool;
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
  const nameVal = pendingName === null ? undefined : forms.string(pendingName, u);
  const compDirVal = pendingDir === null ? undefined : forms.string(pendingDir, u);
  if (nameVal !== undefined) u.filename = nameVal;
  if (compDirVal !== undefined) u.compDir = compDirVal;
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
