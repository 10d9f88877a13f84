/**
 * DWARF 2–5 look-ups the way libbacktrace (memray's symbolizer) makes them: compilation units
 * found through their address ranges, then, lazily per unit, the line table and the functions
 * (subprograms with their inlined subroutines). `lookup(pc)` returns libbacktrace's callback
 * sequence: innermost inlined frame first, then its callers, each with the name libbacktrace
 * picks (linkage name, else the specification's/abstract origin's, else DW_AT_name).
 */
import { backtraceSort, ByteCursor, cstringAt, SymbolsFormatError } from "./bytes.ts";

export interface DwarfSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  line: Uint8Array | null;
  str: Uint8Array | null;
  lineStr: Uint8Array | null;
  addr: Uint8Array | null;
  strOffsets: Uint8Array | null;
  ranges: Uint8Array | null;
  rnglists: Uint8Array | null;
}

/** One frame of libbacktrace's answer; `fn` null means "no function known" (memray skips it). */
export interface DwarfFrame {
  fn: string | null;
  file: string | null;
  line: number;
}

// Forms.
const F_ADDR = 0x01, F_BLOCK2 = 0x03, F_BLOCK4 = 0x04, F_DATA2 = 0x05, F_DATA4 = 0x06, F_DATA8 = 0x07;
const F_STRING = 0x08, F_BLOCK = 0x09, F_BLOCK1 = 0x0a, F_DATA1 = 0x0b, F_FLAG = 0x0c, F_SDATA = 0x0d;
const F_STRP = 0x0e, F_UDATA = 0x0f, F_REF_ADDR = 0x10, F_REF1 = 0x11, F_REF2 = 0x12, F_REF4 = 0x13;
const F_REF8 = 0x14, F_REF_UDATA = 0x15, F_INDIRECT = 0x16, F_SEC_OFFSET = 0x17, F_EXPRLOC = 0x18;
const F_FLAG_PRESENT = 0x19, F_STRX = 0x1a, F_ADDRX = 0x1b, F_REF_SUP4 = 0x1c, F_STRP_SUP = 0x1d;
const F_DATA16 = 0x1e, F_LINE_STRP = 0x1f, F_REF_SIG8 = 0x20, F_IMPLICIT_CONST = 0x21, F_LOCLISTX = 0x22;
const F_RNGLISTX = 0x23, F_REF_SUP8 = 0x24, F_STRX1 = 0x25, F_STRX2 = 0x26, F_STRX3 = 0x27, F_STRX4 = 0x28;
const F_ADDRX1 = 0x29, F_ADDRX2 = 0x2a, F_ADDRX3 = 0x2b, F_ADDRX4 = 0x2c;
const F_GNU_ADDR_INDEX = 0x1f01, F_GNU_STR_INDEX = 0x1f02, F_GNU_REF_ALT = 0x1f20, F_GNU_STRP_ALT = 0x1f21;
// Attributes.
const A_NAME = 0x03, A_STMT_LIST = 0x10, A_LOW_PC = 0x11, A_HIGH_PC = 0x12, A_COMP_DIR = 0x1b;
const A_ABSTRACT_ORIGIN = 0x31, A_SPECIFICATION = 0x47, A_RANGES = 0x55, A_CALL_FILE = 0x58, A_CALL_LINE = 0x59;
const A_LINKAGE_NAME = 0x6e, A_MIPS_LINKAGE_NAME = 0x2007, A_STR_OFFSETS_BASE = 0x72, A_ADDR_BASE = 0x73, A_RNGLISTS_BASE = 0x74;
// Tags.
const T_ENTRY_POINT = 0x03, T_COMPILE_UNIT = 0x11, T_INLINED = 0x1d, T_SUBPROGRAM = 0x2e, T_SKELETON = 0x4a;
// Attribute value kinds.
const V_NONE = 0, V_ADDRESS = 1, V_UINT = 2, V_SINT = 3, V_STRING = 4, V_BLOCK = 5, V_REF_UNIT = 6, V_REF_INFO = 7;
const V_REF_SECTION = 8, V_REF_TYPE = 9, V_STRING_INDEX = 10, V_ADDRESS_INDEX = 11, V_RNGLISTS_INDEX = 12;

/** DIE nesting deeper than this is treated as corrupt (hostile input must not overflow the stack). */
const MAX_DEPTH = 512;
/** DW_AT_specification chains followed at most this far (a cycle must not loop). */
const MAX_REFERENCE_HOPS = 16;

/** An abbreviation: its attributes are `count` (name, form, implicit value) triples of the pool at `start`. */
interface Abbrev {
  tag: number;
  hasChildren: boolean;
  start: number;
  count: number;
}

interface Value {
  kind: number;
  num: number;
  /** V_STRING: the string's bytes and offset (decoded only when needed). */
  strBytes: Uint8Array | null;
}

interface Line {
  pc: number;
  file: string;
  line: number;
  idx: number;
}

interface Fn {
  name: string;
  callerFile: string | null;
  callerLine: number;
  /** Inlined calls, sorted as libbacktrace sorts them. */
  inlined: FnAddr[] | null;
}

interface FnAddr {
  low: number;
  high: number;
  fn: Fn;
}

interface Unit {
  lowOffset: number;
  highOffset: number;
  /** DIEs: [dataStart, dataEnd) of .debug_info. */
  dataStart: number;
  dataEnd: number;
  /** dataStart minus the unit header's start. */
  dataOffset: number;
  version: number;
  is64: boolean;
  addrSize: number;
  abbrevs: AbbrevTable;
  filename: string | null;
  compDir: string | null;
  absFilename: string | null;
  lineOff: number;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  /** null: not read yet; "failed": no usable line table. */
  lines: Line[] | null | "failed";
  functions: FnAddr[];
}

interface UnitAddr {
  low: number;
  high: number;
  unit: Unit;
}

export class DwarfData {
  private readonly s: DwarfSections;
  private readonly units: Unit[] = [];
  private readonly addrs: UnitAddr[] = [];
  private readonly abbrevCache = new Map<number, AbbrevTable>();
  /** Every decoded abbreviation's attribute triples (name, form, implicit value). */
  private pool = new Float64Array(4096);
  private poolLength = 0;
  private readonly strCache = new Map<Uint8Array, Map<number, string>>();
  private readonly v: Value = { kind: V_NONE, num: 0, strBytes: null };
  /** Bytes held (sections plus a rough per-unit cost), for the image cache's budget. */
  sizeBytes: number;

  constructor(sections: DwarfSections) {
    this.s = sections;
    this.sizeBytes = Object.values(sections).reduce((n, b: Uint8Array | null) => n + (b?.length ?? 0), 0);
    this.buildAddressMap();
    backtraceSort(this.addrs, compareUnitAddrs);
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
    let i = lastAtOrBelow(addrs, pc);
    if (i < 0) return null;
    while (i + 1 < addrs.length && addrs[i + 1]!.low === pc) i++;
    let found = -1;
    for (;;) {
      if (pc < addrs[i]!.high) {
        found = i;
        break;
      }
      if (i === 0 || addrs[i - 1]!.low < addrs[i]!.low) break;
      i--;
    }
    if (found < 0) return null;
    let entry = found;
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
    const lines = unit.lines;
    const ln = lineAt(lines, pc);
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
    reportInlined(pc, fm.fn, out, where, 0);
    out.push({ fn: fm.fn.name, file: where.file, line: where.line });
    return out;
  }

  // ---- unit map -------------------------------------------------------------------------

  private buildAddressMap(): void {
    const info = new ByteCursor(this.s.info);
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
      const abbrevs = this.readAbbrevs(abbrevOffset);
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
      this.units.push(unit);
      this.findAddressRanges(unit, body, 0);
    }
  }

  private findAddressRanges(u: Unit, buf: ByteCursor, depth: number): boolean {
    if (depth > MAX_DEPTH) throw new SymbolsFormatError("DIE nesting too deep");
    const v = this.v;
    while (buf.left > 0) {
      const code = buf.uleb();
      if (code === 0) return true;
      const abbrev = this.lookupAbbrev(u, code);
      const isUnit = abbrev.tag === T_COMPILE_UNIT || abbrev.tag === T_SKELETON;
      const pcr = newRange();
      let nameVal: string | null | undefined;
      let compDirVal: string | null | undefined;
      let pendingName: Value | null = null;
      let pendingDir: Value | null = null;
      for (let i = 0, a = abbrev.start; i < abbrev.count; i++, a += 3) {
        this.readAttribute(this.pool[a + 1]!, this.pool[a + 2]!, buf, u);
        const name = this.pool[a]!;
        if (name === A_LOW_PC || name === A_HIGH_PC || name === A_RANGES) updateRange(name, v, pcr);
        else if (!isUnit) continue;
        else if (name === A_STMT_LIST && (v.kind === V_UINT || v.kind === V_REF_SECTION)) u.lineOff = v.num;
        else if (name === A_NAME) pendingName = { ...v };
        else if (name === A_COMP_DIR) pendingDir = { ...v };
        else if (name === A_STR_OFFSETS_BASE && v.kind === V_REF_SECTION) u.strOffsetsBase = v.num;
        else if (name === A_ADDR_BASE && v.kind === V_REF_SECTION) u.addrBase = v.num;
        else if (name === A_RNGLISTS_BASE && v.kind === V_REF_SECTION) u.rnglistsBase = v.num;
      }
      // Strings after the whole DIE: DW_AT_str_offsets_base may come after DW_AT_name.
      if (pendingName !== null) nameVal = this.resolveString(pendingName, u);
      if (pendingDir !== null) compDirVal = this.resolveString(pendingDir, u);
      if (nameVal !== undefined && nameVal !== null) u.filename = nameVal;
      if (compDirVal !== undefined && compDirVal !== null) u.compDir = compDirVal;
      if (isUnit || abbrev.tag === T_SUBPROGRAM) {
        this.addRanges(u, pcr.low, pcr, (low, high) => {
          const last = this.addrs[this.addrs.length - 1];
          if (last !== undefined && last.unit === u && (low === last.high || low === last.high + 1)) {
            if (high > last.high) last.high = high;
            return;
          }
          this.addrs.push({ low, high, unit: u });
        });
        if (isUnit && (pcr.haveRanges || (pcr.haveLow && pcr.haveHigh))) return true;
      }
      if (abbrev.hasChildren) this.findAddressRanges(u, buf, depth + 1);
    }
    return true;
  }

  private readAbbrevs(offset: number): AbbrevTable {
    let table = this.abbrevCache.get(offset);
    if (table !== undefined) return table;
    if (offset >= this.s.abbrev.length) throw new SymbolsFormatError("abbrev offset out of range");
    table = { byCode: new Map(), start: offset, full: false };
    this.abbrevCache.set(offset, table);
    return table;
  }

  /**
   * Abbreviation `code` of the unit's table. GCC puts a unit's own abbreviation last, and the
   * address map needs only that one from every unit: the first look-up skims the table and keeps
   * just the entry asked for; any other look-up decodes the whole table once.
   */
  private lookupAbbrev(u: Unit, code: number): Abbrev {
    const t = u.abbrevs;
    let a = t.byCode.get(code);
    if (a !== undefined) return a;
    if (!t.full) {
      const keepAll = t.byCode.size > 0;
      this.decodeAbbrevs(t, keepAll ? -1 : code);
      if (keepAll) t.full = true;
      a = t.byCode.get(code);
    }
    if (a === undefined) throw new SymbolsFormatError(`invalid abbreviation code ${code}`);
    return a;
  }

  /** Decodes a table from its start: every entry (only = −1) or only the first with code `only`. */
  private decodeAbbrevs(t: AbbrevTable, only: number): void {
    const bytes = this.s.abbrev;
    const end = bytes.length;
    let pos = t.start;
    const leb = (): number => {
      let result = 0;
      let scale = 1;
      for (let i = 0; ; i++) {
        if (pos >= end) throw new SymbolsFormatError("abbreviation table past the end");
        const b = bytes[pos++]!;
        if (i < 10) result += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80) return result;
      }
    };
    for (;;) {
      const code = leb();
      if (code === 0) {
        if (only !== -1) t.full = true; // the code was not there: nothing more to find
        return;
      }
      const tag = leb();
      if (pos >= end) throw new SymbolsFormatError("abbreviation table past the end");
      const hasChildren = bytes[pos++] !== 0;
      const keep = (only === -1 || only === code) && !t.byCode.has(code);
      const start = this.poolLength;
      let count = 0;
      for (;;) {
        const name = leb();
        const form = leb();
        if (name === 0 && form === 0) break;
        let implicit = 0;
        if (form === F_IMPLICIT_CONST) {
          const c = new ByteCursor(bytes, pos);
          implicit = c.sleb();
          pos = c.pos;
        }
        if (!keep) continue;
        if (this.poolLength + 3 > this.pool.length) {
          const grown = new Float64Array(this.pool.length * 2);
          grown.set(this.pool);
          this.pool = grown;
        }
        const pool = this.pool;
        pool[this.poolLength] = name;
        pool[this.poolLength + 1] = form;
        pool[this.poolLength + 2] = implicit;
        this.poolLength += 3;
        count++;
      }
      if (keep) {
        t.byCode.set(code, { tag, hasChildren, start, count });
        if (only !== -1) return;
      }
    }
  }

  // ---- attributes -----------------------------------------------------------------------

  /** Reads one attribute value into `this.v` (reused: callers copy what they keep). */
  private readAttribute(form: number, implicit: number, b: ByteCursor, u: Unit, addrSize = u.addrSize): void {
    const v = this.v;
    v.kind = V_NONE;
    v.num = 0;
    v.strBytes = null;
    for (let hops = 0; ; hops++) {
      switch (form) {
        case F_ADDR:
          v.kind = V_ADDRESS;
          v.num = b.address(addrSize);
          return;
        case F_BLOCK2:
          v.kind = V_BLOCK;
          b.skip(b.u16());
          return;
        case F_BLOCK4:
          v.kind = V_BLOCK;
          b.skip(b.u32());
          return;
        case F_DATA2:
          v.kind = V_UINT;
          v.num = b.u16();
          return;
        case F_DATA4:
          v.kind = V_UINT;
          v.num = b.u32();
          return;
        case F_DATA8:
          v.kind = V_UINT;
          v.num = b.u64();
          return;
        case F_DATA16:
          v.kind = V_BLOCK;
          b.skip(16);
          return;
        case F_STRING:
          v.kind = V_STRING;
          v.strBytes = b.bytes;
          v.num = b.cstrOffset();
          return;
        case F_BLOCK:
        case F_EXPRLOC:
          v.kind = V_BLOCK;
          b.skip(b.uleb());
          return;
        case F_BLOCK1:
          v.kind = V_BLOCK;
          b.skip(b.u8());
          return;
        case F_DATA1:
        case F_FLAG:
          v.kind = V_UINT;
          v.num = b.u8();
          return;
        case F_SDATA:
          v.kind = V_SINT;
          v.num = b.sleb();
          return;
        case F_STRP:
        case F_LINE_STRP: {
          const sec = form === F_STRP ? this.s.str : this.s.lineStr;
          const off = u.is64 ? b.u64() : b.u32();
          if (sec === null || off >= sec.length) throw new SymbolsFormatError("string offset out of range");
          v.kind = V_STRING;
          v.strBytes = sec;
          v.num = off;
          return;
        }
        case F_UDATA:
          v.kind = V_UINT;
          v.num = b.uleb();
          return;
        case F_REF_ADDR:
          v.kind = V_REF_INFO;
          v.num = u.version === 2 ? b.address(u.addrSize) : u.is64 ? b.u64() : b.u32();
          return;
        case F_REF1:
          v.kind = V_REF_UNIT;
          v.num = b.u8();
          return;
        case F_REF2:
          v.kind = V_REF_UNIT;
          v.num = b.u16();
          return;
        case F_REF4:
          v.kind = V_REF_UNIT;
          v.num = b.u32();
          return;
        case F_REF8:
          v.kind = V_REF_UNIT;
          v.num = b.u64();
          return;
        case F_REF_UDATA:
          v.kind = V_REF_UNIT;
          v.num = b.uleb();
          return;
        case F_INDIRECT:
          form = b.uleb();
          if (form === F_IMPLICIT_CONST || hops > 8) throw new SymbolsFormatError("bad DW_FORM_indirect");
          continue;
        case F_SEC_OFFSET:
          v.kind = V_REF_SECTION;
          v.num = u.is64 ? b.u64() : b.u32();
          return;
        case F_FLAG_PRESENT:
          v.kind = V_UINT;
          v.num = 1;
          return;
        case F_REF_SIG8:
          v.kind = V_REF_TYPE;
          v.num = b.u64();
          return;
        case F_STRX:
        case F_STRX1:
        case F_STRX2:
        case F_STRX3:
        case F_STRX4:
          v.kind = V_STRING_INDEX;
          v.num = form === F_STRX ? b.uleb() : form === F_STRX1 ? b.u8() : form === F_STRX2 ? b.u16() : form === F_STRX3 ? b.u24() : b.u32();
          return;
        case F_ADDRX:
        case F_ADDRX1:
        case F_ADDRX2:
        case F_ADDRX3:
        case F_ADDRX4:
          v.kind = V_ADDRESS_INDEX;
          v.num = form === F_ADDRX ? b.uleb() : form === F_ADDRX1 ? b.u8() : form === F_ADDRX2 ? b.u16() : form === F_ADDRX3 ? b.u24() : b.u32();
          return;
        case F_REF_SUP4:
          v.kind = V_REF_SECTION;
          v.num = b.u32();
          return;
        case F_REF_SUP8:
          v.kind = V_REF_SECTION;
          v.num = b.u64();
          return;
        case F_IMPLICIT_CONST:
          v.kind = V_UINT;
          v.num = implicit;
          return;
        case F_LOCLISTX:
        case F_GNU_ADDR_INDEX:
        case F_GNU_STR_INDEX:
          v.kind = V_REF_SECTION;
          v.num = b.uleb();
          return;
        case F_RNGLISTX:
          v.kind = V_RNGLISTS_INDEX;
          v.num = b.uleb();
          return;
        case F_GNU_REF_ALT:
        case F_STRP_SUP:
        case F_GNU_STRP_ALT:
          // No .gnu_debugaltlink support: the value is unknown, as in libbacktrace without one.
          v.num = u.is64 ? b.u64() : b.u32();
          v.kind = V_NONE;
          return;
        default:
          throw new SymbolsFormatError(`unrecognized DWARF form 0x${form.toString(16)}`);
      }
    }
  }

  /** A string attribute's text: undefined when the value is not a string. */
  private resolveString(v: Value, u: Unit): string | undefined {
    if (v.kind === V_STRING) return this.text(v.strBytes!, v.num);
    if (v.kind !== V_STRING_INDEX) return undefined;
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

  private addrIndex(u: Unit, index: number): number {
    const a = this.s.addr;
    const off = index * u.addrSize + u.addrBase;
    if (a === null || off + u.addrSize > a.length) throw new SymbolsFormatError("DW_FORM_addrx value out of range");
    return new ByteCursor(a, off).address(u.addrSize);
  }

  private addRanges(u: Unit, base: number, r: PcRange, add: (low: number, high: number) => void): void {
    if (r.haveLow && r.haveHigh) {
      const low = r.lowIsIndex ? this.addrIndex(u, r.low) : r.low;
      let high = r.highIsIndex ? this.addrIndex(u, r.high) : r.high;
      if (r.highIsRelative) high += low;
      add(low, high);
      return;
    }
    if (!r.haveRanges) return;
    if (u.version < 5) this.rangesFromRanges(u, base, r.ranges, add);
    else this.rangesFromRnglists(u, base, r, add);
  }

  private rangesFromRanges(u: Unit, base: number, offset: number, add: (low: number, high: number) => void): void {
    const sec = this.s.ranges;
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

  private rangesFromRnglists(u: Unit, base: number, r: PcRange, add: (low: number, high: number) => void): void {
    const sec = this.s.rnglists;
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
          base = this.addrIndex(u, c.uleb());
          break;
        case 2: {
          const low = this.addrIndex(u, c.uleb());
          add(low, this.addrIndex(u, c.uleb()));
          break;
        }
        case 3: {
          const low = this.addrIndex(u, c.uleb());
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

  // ---- per-unit details: lines and functions ----------------------------------------------

  private readUnitDetails(u: Unit): void {
    let header: LineHeader;
    try {
      header = this.readLineHeader(u);
      const lines = this.readLineProgram(header);
      if (lines.length === 0) throw new SymbolsFormatError("empty line table");
      backtraceSort(lines, (a, b) => (a.pc < b.pc ? -1 : a.pc > b.pc ? 1 : a.idx - b.idx));
      u.lines = lines;
    } catch (e) {
      if (!(e instanceof SymbolsFormatError)) throw e;
      u.lines = "failed";
      return;
    }
    try {
      const fns: FnAddr[] = [];
      const c = new ByteCursor(this.s.info, u.dataStart, u.dataEnd);
      while (c.left > 0) this.readFunctionEntry(u, 0, c, header, fns, fns, 0);
      backtraceSort(fns, compareFnAddrs);
      u.functions = fns;
      this.sizeBytes += fns.length * 64 + u.lines.length * 40;
    } catch (e) {
      // libbacktrace keeps no functions for a unit it could not read.
      if (!(e instanceof SymbolsFormatError)) throw e;
      u.functions = [];
    }
  }

  private readFunctionEntry(u: Unit, base: number, buf: ByteCursor, lh: LineHeader, functions: FnAddr[], inlined: FnAddr[], depth: number): void {
    if (depth > MAX_DEPTH) throw new SymbolsFormatError("DIE nesting too deep");
    const v = this.v;
    while (buf.left > 0) {
      const code = buf.uleb();
      if (code === 0) return;
      const abbrev = this.lookupAbbrev(u, code);
      const tag = abbrev.tag;
      let isFunction = tag === T_SUBPROGRAM || tag === T_ENTRY_POINT || tag === T_INLINED;
      const vec = tag === T_INLINED ? inlined : functions;
      let fn: Fn | null = isFunction ? { name: "", callerFile: null, callerLine: 0, inlined: null } : null;
      let hasName = false;
      let haveLinkage = false;
      const pcr = newRange();
      for (let i = 0, a = abbrev.start; i < abbrev.count; i++, a += 3) {
        const form = this.pool[a + 1]!;
        this.readAttribute(form, this.pool[a + 2]!, buf, u);
        const name = this.pool[a]!;
        if ((tag === T_COMPILE_UNIT || tag === T_SKELETON) && name === A_LOW_PC) {
          if (v.kind === V_ADDRESS) base = v.num;
          else if (v.kind === V_ADDRESS_INDEX) base = this.addrIndex(u, v.num);
        }
        if (fn === null) continue;
        switch (name) {
          case A_CALL_FILE:
            if (v.kind === V_UINT) {
              if (v.num >= lh.files.length) throw new SymbolsFormatError("invalid file number in DW_AT_call_file");
              fn.callerFile = lh.files[v.num]!;
            }
            break;
          case A_CALL_LINE:
            if (v.kind === V_UINT) fn.callerLine = v.num | 0;
            break;
          case A_ABSTRACT_ORIGIN:
          case A_SPECIFICATION:
            if (!haveLinkage) {
              const ref = this.referencedName(u, name, form, v.kind, v.num, 0);
              if (ref !== null) {
                fn.name = ref;
                hasName = true;
              }
            }
            break;
          case A_NAME:
            if (!hasName) {
              const s = this.resolveString(v, u);
              if (s !== undefined) {
                fn.name = s;
                hasName = true;
              }
            }
            break;
          case A_LINKAGE_NAME:
          case A_MIPS_LINKAGE_NAME: {
            const s = this.resolveString(v, u);
            if (s !== undefined) {
              fn.name = s;
              hasName = true;
              haveLinkage = true;
            }
            break;
          }
          case A_LOW_PC:
          case A_HIGH_PC:
          case A_RANGES:
            updateRange(name, v, pcr);
            break;
        }
      }
      if (isFunction && !hasName) {
        isFunction = false;
        fn = null;
      }
      if (isFunction && (pcr.haveRanges || (pcr.haveLow && pcr.haveHigh))) {
        const f = fn!;
        this.addRanges(u, base, pcr, (low, high) => {
          const last = vec[vec.length - 1];
          if (last !== undefined && last.fn === f && (low === last.high || low === last.high + 1)) {
            if (high > last.high) last.high = high;
            return;
          }
          vec.push({ low, high, fn: f });
        });
      } else {
        isFunction = false;
      }
      if (abbrev.hasChildren) {
        if (!isFunction) this.readFunctionEntry(u, base, buf, lh, functions, inlined, depth + 1);
        else {
          const mine: FnAddr[] = [];
          this.readFunctionEntry(u, base, buf, lh, functions, mine, depth + 1);
          if (mine.length > 0) {
            backtraceSort(mine, compareFnAddrs);
            fn!.inlined = mine;
          }
        }
      }
    }
  }

  /** The name a DW_AT_abstract_origin / DW_AT_specification reference leads to, or null. */
  private referencedName(u: Unit, attr: number, form: number, kind: number, value: number, hops: number): string | null {
    if (attr !== A_ABSTRACT_ORIGIN && attr !== A_SPECIFICATION) return null;
    if (form === F_REF_SIG8 || hops > MAX_REFERENCE_HOPS) return null;
    if (kind === V_REF_INFO) {
      const target = this.unitAtOffset(value);
      if (target === null) return null;
      return this.readReferencedName(target, value - target.lowOffset, hops);
    }
    if (kind === V_UINT || kind === V_REF_UNIT) return this.readReferencedName(u, value, hops);
    return null;
  }

  private unitAtOffset(offset: number): Unit | null {
    const units = this.units;
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

  private readReferencedName(u: Unit, offset: number, hops: number): string | null {
    if (offset < u.dataOffset || offset - u.dataOffset >= u.dataEnd - u.dataStart) return null;
    const c = new ByteCursor(this.s.info, u.dataStart + offset - u.dataOffset, u.dataEnd);
    const code = c.uleb();
    if (code === 0) return null;
    const abbrev = this.lookupAbbrev(u, code);
    let ret: string | null = null;
    const v = this.v;
    for (let i = 0, a = abbrev.start; i < abbrev.count; i++, a += 3) {
      const form = this.pool[a + 1]!;
      this.readAttribute(form, this.pool[a + 2]!, c, u);
      const name = this.pool[a]!;
      if (name === A_NAME) {
        if (ret !== null) continue;
        ret = this.resolveString(v, u) ?? null;
      } else if (name === A_LINKAGE_NAME || name === A_MIPS_LINKAGE_NAME) {
        const s = this.resolveString(v, u);
        if (s !== undefined) return s;
      } else if (name === A_SPECIFICATION) {
        const pos = c.pos;
        const s = this.referencedName(u, name, form, v.kind, v.num, hops + 1);
        c.pos = pos;
        if (s !== null) ret = s;
      }
    }
    return ret;
  }

  private readLineHeader(u: Unit): LineHeader {
    const sec = this.s.line;
    if (sec === null || u.lineOff >= sec.length) throw new SymbolsFormatError("unit line offset out of range");
    const c = new ByteCursor(sec, u.lineOff);
    const { length, is64 } = initialLength(c);
    const body = c.sub(Math.min(length, c.left));
    if (length > body.end - body.pos) throw new SymbolsFormatError("line table past the end");
    const version = body.u16();
    if (version < 2 || version > 5) throw new SymbolsFormatError("unsupported line number version");
    let addrSize = u.addrSize;
    if (version >= 5) {
      addrSize = body.u8();
      if (body.u8() !== 0) throw new SymbolsFormatError("non-zero segment_selector_size");
    }
    const hdrLen = is64 ? body.u64() : body.u32();
    const hdr = body.sub(hdrLen);
    const minInsnLen = hdr.u8();
    const maxOps = version < 4 ? 1 : hdr.u8();
    hdr.u8(); // default_is_stmt
    const lineBase = hdr.i8();
    const lineRange = hdr.u8();
    const opcodeBase = hdr.u8();
    const opcodeLengths: number[] = [];
    for (let i = 1; i < opcodeBase; i++) opcodeLengths.push(hdr.u8());
    let dirs: Array<string | null>;
    let files: Array<string | null>;
    if (version < 5) {
      dirs = [u.compDir];
      while (hdr.bytes[hdr.pos] !== 0) {
        hdr.need(1);
        dirs.push(hdr.cstr());
      }
      hdr.skip(1);
      files = [u.filename];
      while (hdr.bytes[hdr.pos] !== 0) {
        hdr.need(1);
        const name = hdr.cstr();
        const dir = hdr.uleb();
        hdr.uleb();
        hdr.uleb();
        if (name.startsWith("/") || (dir < dirs.length && dirs[dir] === null)) files.push(name);
        else if (dir < dirs.length) files.push(`${dirs[dir]}/${name}`);
        else throw new SymbolsFormatError("invalid directory index in line header");
      }
    } else {
      dirs = this.readEntryFormats(hdr, u, addrSize, []);
      files = this.readEntryFormats(hdr, u, addrSize, dirs);
    }
    if (lineRange === 0 || maxOps === 0) throw new SymbolsFormatError("bad line header");
    return { version, addrSize, minInsnLen, maxOps, lineBase, lineRange, opcodeBase, opcodeLengths, dirs, files, program: body };
  }

  private readEntryFormats(hdr: ByteCursor, u: Unit, addrSize: number, dirs: Array<string | null>): Array<string | null> {
    const formatCount = hdr.u8();
    const lnct: number[] = [];
    const forms: number[] = [];
    for (let i = 0; i < formatCount; i++) {
      lnct.push(hdr.uleb());
      forms.push(hdr.uleb());
    }
    const count = hdr.uleb();
    if (count > hdr.left) throw new SymbolsFormatError("too many line header entries");
    const out: Array<string | null> = [];
    const v = this.v;
    for (let n = 0; n < count; n++) {
      let dir: string | null = null;
      let path: string | undefined;
      for (let i = 0; i < formatCount; i++) {
        this.readAttribute(forms[i]!, 0, hdr, u, addrSize);
        if (lnct[i] === 1) {
          const s = this.resolveString(v, u);
          if (s !== undefined) path = s;
        } else if (lnct[i] === 2 && v.kind === V_UINT) {
          if (v.num >= dirs.length) throw new SymbolsFormatError("invalid directory index in line header");
          dir = dirs[v.num] ?? null;
        }
      }
      if (path === undefined) throw new SymbolsFormatError("missing file name in line header");
      out.push(dir === null ? path : `${dir}/${path}`);
    }
    return out;
  }

  private readLineProgram(h: LineHeader): Line[] {
    const lines: Line[] = [];
    const b = h.program;
    const reset = h.files.length > 1 ? h.files[1]! : "";
    let address = 0;
    let opIndex = 0;
    let file: string | null = reset;
    let line = 1;
    const add = () => {
      const last = lines[lines.length - 1];
      if (last !== undefined && last.pc === address && last.file === file && last.line === line) return;
      lines.push({ pc: address, file: file ?? "", line, idx: lines.length });
    };
    const advance = (n: number) => {
      address += Math.floor((h.minInsnLen * (opIndex + n)) / h.maxOps);
      opIndex = (opIndex + n) % h.maxOps;
    };
    while (b.left > 0) {
      let op = b.u8();
      if (op >= h.opcodeBase) {
        op -= h.opcodeBase;
        advance(Math.floor(op / h.lineRange));
        line = (line + h.lineBase + (op % h.lineRange)) | 0;
        add();
      } else if (op === 0) {
        const len = b.uleb();
        if (len === 0) throw new SymbolsFormatError("empty extended opcode");
        const end = b.pos + len;
        const sub = b.u8();
        if (sub === 1) {
          address = 0;
          opIndex = 0;
          file = reset;
          line = 1;
        } else if (sub === 2) address = b.address(h.addrSize);
        else if (sub === 3) {
          const f = b.cstr();
          const dir = b.uleb();
          b.uleb();
          b.uleb();
          if (f.startsWith("/")) file = f;
          else if (dir < h.dirs.length) file = `${h.dirs[dir]}/${f}`;
          else throw new SymbolsFormatError("invalid directory index in line program");
        } else if (sub === 4) b.uleb();
        else {
          if (end > b.end) throw new SymbolsFormatError("extended opcode past the end");
          b.pos = end;
        }
      } else {
        switch (op) {
          case 1:
            add();
            break;
          case 2:
            advance(b.uleb());
            break;
          case 3:
            line = (line + b.sleb()) | 0;
            break;
          case 4: {
            const n = b.uleb();
            if (n >= h.files.length) throw new SymbolsFormatError("invalid file number in line program");
            file = h.files[n]!;
            break;
          }
          case 5:
          case 12:
            b.uleb();
            break;
          case 8:
            advance(Math.floor((255 - h.opcodeBase) / h.lineRange));
            break;
          case 9:
            address += b.u16();
            opIndex = 0;
            break;
          case 6:
          case 7:
          case 10:
          case 11:
            break;
          default:
            for (let i = h.opcodeLengths[op - 1] ?? 0; i > 0; i--) b.uleb();
        }
      }
    }
    return lines;
  }
}

interface LineHeader {
  version: number;
  addrSize: number;
  minInsnLen: number;
  maxOps: number;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  opcodeLengths: number[];
  dirs: Array<string | null>;
  files: Array<string | null>;
  program: ByteCursor;
}

interface PcRange {
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

function newRange(): PcRange {
  return { low: 0, high: 0, ranges: 0, haveLow: false, haveHigh: false, haveRanges: false, lowIsIndex: false, highIsIndex: false, highIsRelative: false, rangesIsIndex: false };
}

function updateRange(name: number, v: Value, r: PcRange): void {
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

/** An abbreviation table, decoded lazily (see `lookupAbbrev`). The first of duplicate codes wins. */
interface AbbrevTable {
  byCode: Map<number, Abbrev>;
  /** Offset of the table in .debug_abbrev. */
  start: number;
  /** Every entry decoded (or the table proved not to have the code asked for). */
  full: boolean;
}

function initialLength(c: ByteCursor): { length: number; is64: boolean } {
  const l = c.u32();
  if (l === 0xffffffff) return { length: c.u64(), is64: true };
  if (l >= 0xfffffff0) throw new SymbolsFormatError("reserved initial length");
  return { length: l, is64: false };
}

function compareUnitAddrs(a: UnitAddr, b: UnitAddr): number {
  if (a.low !== b.low) return a.low < b.low ? -1 : 1;
  if (a.high !== b.high) return a.high < b.high ? 1 : -1;
  return a.unit.lineOff < b.unit.lineOff ? -1 : a.unit.lineOff > b.unit.lineOff ? 1 : 0;
}

function compareFnAddrs(a: FnAddr, b: FnAddr): number {
  if (a.low !== b.low) return a.low < b.low ? -1 : 1;
  if (a.high !== b.high) return a.high < b.high ? 1 : -1;
  return a.fn.name < b.fn.name ? -1 : a.fn.name > b.fn.name ? 1 : 0;
}

/** Index of the last entry whose `low` is ≤ pc, or −1 (what libbacktrace's neighbour search finds). */
function lastAtOrBelow(a: ReadonlyArray<{ low: number }>, pc: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.low <= pc) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The function range libbacktrace picks for pc: the innermost among those starting last. */
function findFunction(a: FnAddr[], pc: number): FnAddr | null {
  let i = lastAtOrBelow(a, pc);
  if (i < 0) return null;
  for (;;) {
    if (pc < a[i]!.high) return a[i]!;
    if (i === 0 || a[i - 1]!.low < a[i]!.low) return null;
    i--;
  }
}

/** The last line entry at or below pc (several at one pc: the last one). */
function lineAt(lines: Line[], pc: number): Line | null {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.pc <= pc) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : lines[lo - 1]!;
}

function reportInlined(pc: number, fn: Fn, out: DwarfFrame[], where: { file: string | null; line: number }, depth: number): void {
  if (fn.inlined === null || depth > MAX_DEPTH) return;
  const m = findFunction(fn.inlined, pc);
  if (m === null) return;
  reportInlined(pc, m.fn, out, where, depth + 1);
  out.push({ fn: m.fn.name, file: where.file, line: where.line });
  where.file = m.fn.callerFile;
  where.line = m.fn.callerLine;
}

