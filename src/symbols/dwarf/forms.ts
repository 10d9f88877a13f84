/**
 * Attribute values by form (DW_FORM_*), read the way libbacktrace's read_attribute does, and
 * the indirections behind them: strings (inline, .debug_str, .debug_line_str, DW_FORM_strx
 * through .debug_str_offsets) and DW_FORM_addrx through .debug_addr.
 */
import { ByteCursor, cstringAt, SymbolsFormatError } from "../bytes.ts";
import * as K from "./constants.ts";
import type { DwarfSections, Unit } from "./model.ts";

export interface Value {
  kind: number;
  num: number;
  /** V_STRING: the string's bytes (`num` is the offset; decoded only when needed). */
  strBytes: Uint8Array | null;
}

export class FormReader {
  private readonly s: DwarfSections;
  private readonly strCache = new Map<Uint8Array, Map<number, string>>();
  /** The last value read (reused: callers copy what they keep). */
  readonly v: Value = { kind: K.V_NONE, num: 0, strBytes: null };

  constructor(sections: DwarfSections) {
    this.s = sections;
  }

  /** Reads one attribute value into `this.v`. */
  read(form: number, implicit: number, b: ByteCursor, u: Unit, addrSize = u.addrSize): void {
    const v = this.v;
    v.kind = K.V_NONE;
    v.num = 0;
    v.strBytes = null;
    for (let hops = 0; ; hops++) {
      switch (form) {
        case K.F_ADDR:
          v.kind = K.V_ADDRESS;
          v.num = b.address(addrSize);
          return;
        case K.F_BLOCK2:
          v.kind = K.V_BLOCK;
          b.skip(b.u16());
          return;
        case K.F_BLOCK4:
          v.kind = K.V_BLOCK;
          b.skip(b.u32());
          return;
        case K.F_DATA2:
          v.kind = K.V_UINT;
          v.num = b.u16();
          return;
        case K.F_DATA4:
          v.kind = K.V_UINT;
          v.num = b.u32();
          return;
        case K.F_DATA8:
          v.kind = K.V_UINT;
          v.num = b.u64();
          return;
        case K.F_DATA16:
          v.kind = K.V_BLOCK;
          b.skip(16);
          return;
        case K.F_STRING:
          v.kind = K.V_STRING;
          v.strBytes = b.bytes;
          v.num = b.cstrOffset();
          return;
        case K.F_BLOCK:
        case K.F_EXPRLOC:
          v.kind = K.V_BLOCK;
          b.skip(b.uleb());
          return;
        case K.F_BLOCK1:
          v.kind = K.V_BLOCK;
          b.skip(b.u8());
          return;
        case K.F_DATA1:
        case K.F_FLAG:
          v.kind = K.V_UINT;
          v.num = b.u8();
          return;
        case K.F_SDATA:
          v.kind = K.V_SINT;
          v.num = b.sleb();
          return;
        case K.F_STRP:
        case K.F_LINE_STRP: {
          const sec = form === K.F_STRP ? this.s.str : this.s.lineStr;
          const off = u.is64 ? b.u64() : b.u32();
          if (sec === null || off >= sec.length) throw new SymbolsFormatError("string offset out of range");
          v.kind = K.V_STRING;
          v.strBytes = sec;
          v.num = off;
          return;
        }
        case K.F_UDATA:
          v.kind = K.V_UINT;
          v.num = b.uleb();
          return;
        case K.F_REF_ADDR:
          v.kind = K.V_REF_INFO;
          v.num = u.version === 2 ? b.address(u.addrSize) : u.is64 ? b.u64() : b.u32();
          return;
        case K.F_REF1:
          v.kind = K.V_REF_UNIT;
          v.num = b.u8();
          return;
        case K.F_REF2:
          v.kind = K.V_REF_UNIT;
          v.num = b.u16();
          return;
        case K.F_REF4:
          v.kind = K.V_REF_UNIT;
          v.num = b.u32();
          return;
        case K.F_REF8:
          v.kind = K.V_REF_UNIT;
          v.num = b.u64();
          return;
        case K.F_REF_UDATA:
          v.kind = K.V_REF_UNIT;
          v.num = b.uleb();
          return;
        case K.F_INDIRECT:
          form = b.uleb();
          if (form === K.F_IMPLICIT_CONST || hops > 8) throw new SymbolsFormatError("bad DW_FORM_indirect");
          continue;
        case K.F_SEC_OFFSET:
          v.kind = K.V_REF_SECTION;
          v.num = u.is64 ? b.u64() : b.u32();
          return;
        case K.F_FLAG_PRESENT:
          v.kind = K.V_UINT;
          v.num = 1;
          return;
        case K.F_REF_SIG8:
          v.kind = K.V_REF_TYPE;
          v.num = b.u64();
          return;
        case K.F_STRX:
        case K.F_STRX1:
        case K.F_STRX2:
        case K.F_STRX3:
        case K.F_STRX4:
          v.kind = K.V_STRING_INDEX;
          v.num = form === K.F_STRX ? b.uleb() : form === K.F_STRX1 ? b.u8() : form === K.F_STRX2 ? b.u16() : form === K.F_STRX3 ? b.u24() : b.u32();
          return;
        case K.F_ADDRX:
        case K.F_ADDRX1:
        case K.F_ADDRX2:
        case K.F_ADDRX3:
        case K.F_ADDRX4:
          v.kind = K.V_ADDRESS_INDEX;
          v.num = form === K.F_ADDRX ? b.uleb() : form === K.F_ADDRX1 ? b.u8() : form === K.F_ADDRX2 ? b.u16() : form === K.F_ADDRX3 ? b.u24() : b.u32();
          return;
        case K.F_REF_SUP4:
          v.kind = K.V_REF_SECTION;
          v.num = b.u32();
          return;
        case K.F_REF_SUP8:
          v.kind = K.V_REF_SECTION;
          v.num = b.u64();
          return;
        case K.F_IMPLICIT_CONST:
          v.kind = K.V_UINT;
          v.num = implicit;
          return;
        case K.F_LOCLISTX:
        case K.F_GNU_ADDR_INDEX:
        case K.F_GNU_STR_INDEX:
          v.kind = K.V_REF_SECTION;
          v.num = b.uleb();
          return;
        case K.F_RNGLISTX:
          v.kind = K.V_RNGLISTS_INDEX;
          v.num = b.uleb();
          return;
        case K.F_GNU_REF_ALT:
        case K.F_STRP_SUP:
        case K.F_GNU_STRP_ALT:
          // No .gnu_debugaltlink support: the value is unknown, as in libbacktrace without one.
          v.num = u.is64 ? b.u64() : b.u32();
          v.kind = K.V_NONE;
          return;
        default:
          throw new SymbolsFormatError(`unrecognized DWARF form 0x${form.toString(16)}`);
      }
    }
  }

  /** A string attribute's text: undefined when the value is not a string. */
  string(v: Value, u: Unit): string | undefined {
    if (v.kind === K.V_STRING) return this.text(v.strBytes!, v.num);
    if (v.kind !== K.V_STRING_INDEX) return undefined;
    const so = this.s.strOffsets;
    const width = u.is64 ? 8 : 4;
    const off = v.num * width + u.strOffsetsBase;
    if (so === null || off + width > so.length) throw new SymbolsFormatError("DW_FORM_strx value out of range");
    const c = new ByteCursor(so, off);
    const strOff = u.is64 ? c.u64() : c.u32();
    if (this.s.str === null || strOff >= this.s.str.length) throw new SymbolsFormatError("DW_FORM_strx offset out of range");
    return this.text(this.s.str, strOff);
  }

  private text(bytes: Uint8Array, offset: number): string {
    let cache = this.strCache.get(bytes);
    if (cache === undefined) this.strCache.set(bytes, (cache = new Map()));
    let s = cache.get(offset);
    if (s === undefined) {
      s = cstringAt(bytes, offset);
      cache.set(offset, s);
    }
    return s;
  }

  /** Entry `index` of the unit's .debug_addr table (DW_FORM_addrx). */
  address(u: Unit, index: number): number {
    const a = this.s.addr;
    const off = index * u.addrSize + u.addrBase;
    if (a === null || off + u.addrSize > a.length) throw new SymbolsFormatError("DW_FORM_addrx value out of range");
    return new ByteCursor(a, off).address(u.addrSize);
  }
}

/** A unit's or line table's initial length: 32-bit, or 0xffffffff then 64-bit (DWARF64). */
export function initialLength(c: ByteCursor): { length: number; is64: boolean } {
  const l = c.u32();
  if (l === 0xffffffff) return { length: c.u64(), is64: true };
  if (l >= 0xfffffff0) throw new SymbolsFormatError("reserved initial length");
  return { length: l, is64: false };
}
