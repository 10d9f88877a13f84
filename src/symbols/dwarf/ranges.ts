/**
 * A DIE's address ranges as libbacktrace collects them: DW_AT_low_pc/high_pc (high absolute,
 * relative, or an address index), or DW_AT_ranges into .debug_ranges (DWARF 2–4) or
 * .debug_rnglists (DWARF 5, by offset or by index).
 */
import { ByteCursor, SymbolsFormatError } from "../bytes.ts";
import { A_HIGH_PC, A_LOW_PC, V_ADDRESS, V_ADDRESS_INDEX, V_REF_SECTION, V_RNGLISTS_INDEX, V_UINT } from "./constants.ts";
import type { FormReader, Value } from "./forms.ts";
import type { DwarfSections, Unit } from "./model.ts";

export interface PcRange {
  low: number;
  high: number;
  ranges: number;
  haveLow: boolean;
  haveHigh: boolean;
  haveRanges: boolean;
  lowIsIndex: boolean;
  highIsIndex: boolean;
  highIsRelative: boolean;
  rangesIsIndex: boolean;
}

export function newRange(): PcRange {
  return { low: 0, high: 0, ranges: 0, haveLow: false, haveHigh: false, haveRanges: false, lowIsIndex: false, highIsIndex: false, highIsRelative: false, rangesIsIndex: false };
}

/** Records a DW_AT_low_pc, DW_AT_high_pc or DW_AT_ranges value (`name`) in `r`. */
export function updateRange(name: number, v: Value, r: PcRange): void {
  if (name === A_LOW_PC) {
    if (v.kind === V_ADDRESS || v.kind === V_ADDRESS_INDEX) {
      r.low = v.num;
      r.haveLow = true;
      r.lowIsIndex = v.kind === V_ADDRESS_INDEX;
    }
  } else if (name === A_HIGH_PC) {
    if (v.kind === V_ADDRESS || v.kind === V_UINT || v.kind === V_ADDRESS_INDEX) {
      r.high = v.num;
      r.haveHigh = true;
      r.highIsRelative = v.kind === V_UINT;
      r.highIsIndex = v.kind === V_ADDRESS_INDEX;
    }
  } else if (v.kind === V_UINT || v.kind === V_REF_SECTION || v.kind === V_RNGLISTS_INDEX) {
    r.ranges = v.num;
    r.haveRanges = true;
    r.rangesIsIndex = v.kind === V_RNGLISTS_INDEX;
  }
}

export type AddRange = (low: number, high: number) => void;

/** Calls `add` for each [low, high) of `r` (`base`: the unit's base address for range lists). */
export function addRanges(s: DwarfSections, forms: FormReader, u: Unit, base: number, r: PcRange, add: AddRange): void {
  if (r.haveLow && r.haveHigh) {
    const low = r.lowIsIndex ? forms.address(u, r.low) : r.low;
    let high = r.highIsIndex ? forms.address(u, r.high) : r.high;
    if (r.highIsRelative) high += low;
    add(low, high);
    return;
  }
  if (!r.haveRanges) return;
  if (u.version < 5) fromRanges(s, u, base, r.ranges, add);
  else fromRnglists(s, forms, u, base, r, add);
}

function fromRanges(s: DwarfSections, u: Unit, base: number, offset: number, add: AddRange): void {
  const sec = s.ranges;
  if (sec === null || offset >= sec.length) throw new SymbolsFormatError("ranges offset out of range");
  const c = new ByteCursor(sec, offset);
  for (;;) {
    const highest = c.peekAllOnes(u.addrSize);
    const low = c.address(u.addrSize);
    const high = c.address(u.addrSize);
    if (low === 0 && high === 0) return;
    if (highest) base = high;
    else add(low + base, high + base);
  }
}

function fromRnglists(s: DwarfSections, forms: FormReader, u: Unit, base: number, r: PcRange, add: AddRange): void {
  const sec = s.rnglists;
  const width = u.is64 ? 8 : 4;
  let offset = r.rangesIsIndex ? u.rnglistsBase + r.ranges * width : r.ranges;
  if (sec === null || offset >= sec.length) throw new SymbolsFormatError("rnglists offset out of range");
  const c = new ByteCursor(sec, offset);
  if (r.rangesIsIndex) {
    offset = (u.is64 ? c.u64() : c.u32()) + u.rnglistsBase;
    if (offset >= sec.length) throw new SymbolsFormatError("rnglists index offset out of range");
    c.pos = offset;
  }
  for (;;) {
    const rle = c.u8();
    switch (rle) {
      case 0:
        return;
      case 1:
        base = forms.address(u, c.uleb());
        break;
      case 2: {
        const low = forms.address(u, c.uleb());
        add(low, forms.address(u, c.uleb()));
        break;
      }
      case 3: {
        const low = forms.address(u, c.uleb());
        add(low, low + c.uleb());
        break;
      }
      case 4: {
        const low = c.uleb();
        add(low + base, c.uleb() + base);
        break;
      }
      case 5:
        base = c.address(u.addrSize);
        break;
      case 6: {
        const low = c.address(u.addrSize);
        add(low, c.address(u.addrSize));
        break;
      }
      case 7: {
        const low = c.address(u.addrSize);
        add(low, low + c.uleb());
        break;
      }
      default:
        throw new SymbolsFormatError(`unrecognized DW_RLE value ${rle}`);
    }
  }
}
