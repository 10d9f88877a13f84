/**
 * A unit's functions as libbacktrace reads them (read_function_entry): subprograms and entry
 * points with their ranges, each holding its inlined subroutines (with the call's file and
 * line), named by linkage name, else the specification's/abstract origin's, else DW_AT_name.
 */
import { backtraceSort, ByteCursor, SymbolsFormatError } from "../bytes.ts";
import * as K from "./constants.ts";
import type { LineHeader } from "./lines.ts";
import type { DwarfContext, DwarfFrame, Fn, FnAddr, Unit } from "./model.ts";
import { addRanges, newRange, updateRange } from "./ranges.ts";
import { lastAtOrBelow } from "./units.ts";

/** The unit's functions, sorted as libbacktrace sorts them. */
export function readFunctions(ctx: DwarfContext, u: Unit, header: LineHeader): FnAddr[] {
  const fns: FnAddr[] = [];
  const c = new ByteCursor(ctx.s.info, u.dataStart, u.dataEnd);
  while (c.left > 0) readFunctionEntry(ctx, u, 0, c, header, fns, fns, 0);
  backtraceSort(fns, compareFnAddrs);
  return fns;
}

function readFunctionEntry(ctx: DwarfContext, u: Unit, base: number, buf: ByteCursor, lh: LineHeader, functions: FnAddr[], inlined: FnAddr[], depth: number): void {
  if (depth > K.MAX_DEPTH) throw new SymbolsFormatError("DIE nesting too deep");
  const { forms, abbrevs } = ctx;
  const v = forms.v;
  while (buf.left > 0) {
    const code = buf.uleb();
    if (code === 0) return;
    const abbrev = abbrevs.lookup(u.abbrevs, code);
    const pool = abbrevs.pool;
    const tag = abbrev.tag;
    let isFunction = tag === K.T_SUBPROGRAM || tag === K.T_ENTRY_POINT || tag === K.T_INLINED;
    const vec = tag === K.T_INLINED ? inlined : functions;
    let fn: Fn | null = isFunction ? { name: "", callerFile: null, callerLine: 0, inlined: null } : null;
    let hasName = false;
    let haveLinkage = false;
    const pcr = newRange();
    for (let i = 0, a = abbrev.start; i < abbrev.count; i++, a += 3) {
      const form = pool[a + 1]!;
      forms.read(form, pool[a + 2]!, buf, u);
      const name = pool[a]!;
      if ((tag === K.T_COMPILE_UNIT || tag === K.T_SKELETON) && name === K.A_LOW_PC) {
        if (v.kind === K.V_ADDRESS) base = v.num;
        else if (v.kind === K.V_ADDRESS_INDEX) base = forms.address(u, v.num);
      }
      if (fn === null) continue;
      switch (name) {
        case K.A_CALL_FILE:
          if (v.kind === K.V_UINT) {
            if (v.num >= lh.files.length) throw new SymbolsFormatError("invalid file number in DW_AT_call_file");
            fn.callerFile = lh.files[v.num]!;
          }
          break;
        case K.A_CALL_LINE:
          if (v.kind === K.V_UINT) fn.callerLine = v.num | 0;
          break;
        case K.A_ABSTRACT_ORIGIN:
        case K.A_SPECIFICATION:
          if (!haveLinkage) {
            const ref = referencedName(ctx, u, name, form, v.kind, v.num, 0);
            if (ref !== null) {
              fn.name = ref;
              hasName = true;
            }
          }
          break;
        case K.A_NAME:
          if (!hasName) {
            const s = forms.string(v, u);
            if (s !== undefined) {
              fn.name = s;
              hasName = true;
            }
          }
          break;
        case K.A_LINKAGE_NAME:
        case K.A_MIPS_LINKAGE_NAME: {
          const s = forms.string(v, u);
          if (s !== undefined) {
            fn.name = s;
            hasName = true;
            haveLinkage = true;
          }
          break;
        }
        case K.A_LOW_PC:
        case K.A_HIGH_PC:
        case K.A_RANGES:
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
      addRanges(ctx.s, forms, u, base, pcr, (low, high) => {
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
      if (!isFunction) readFunctionEntry(ctx, u, base, buf, lh, functions, inlined, depth + 1);
      else {
        const mine: FnAddr[] = [];
        readFunctionEntry(ctx, u, base, buf, lh, functions, mine, depth + 1);
        if (mine.length > 0) {
          backtraceSort(mine, compareFnAddrs);
          fn!.inlined = mine;
        }
      }
    }
  }
}

/** The name a DW_AT_abstract_origin / DW_AT_specification reference leads to, or null. */
function referencedName(ctx: DwarfContext, u: Unit, attr: number, form: number, kind: number, value: number, hops: number): string | null {
  if (attr !== K.A_ABSTRACT_ORIGIN && attr !== K.A_SPECIFICATION) return null;
  if (form === K.F_REF_SIG8 || hops > K.MAX_REFERENCE_HOPS) return null;
  if (kind === K.V_REF_INFO) {
    const target = ctx.unitAtOffset(value);
    if (target === null) return null;
    return readReferencedName(ctx, target, value - target.lowOffset, hops);
  }
  if (kind === K.V_UINT || kind === K.V_REF_UNIT) return readReferencedName(ctx, u, value, hops);
  return null;
}

function readReferencedName(ctx: DwarfContext, u: Unit, offset: number, hops: number): string | null {
  if (offset < u.dataOffset || offset - u.dataOffset >= u.dataEnd - u.dataStart) return null;
  const { forms, abbrevs } = ctx;
  const c = new ByteCursor(ctx.s.info, u.dataStart + offset - u.dataOffset, u.dataEnd);
  const code = c.uleb();
  if (code === 0) return null;
  const abbrev = abbrevs.lookup(u.abbrevs, code);
  const pool = abbrevs.pool;
  let ret: string | null = null;
  const v = forms.v;
  for (let i = 0, a = abbrev.start; i < abbrev.count; i++, a += 3) {
    const form = pool[a + 1]!;
    forms.read(form, pool[a + 2]!, c, u);
    const name = pool[a]!;
    if (name === K.A_NAME) {
      if (ret !== null) continue;
      ret = forms.string(v, u) ?? null;
    } else if (name === K.A_LINKAGE_NAME || name === K.A_MIPS_LINKAGE_NAME) {
      const s = forms.string(v, u);
      if (s !== undefined) return s;
    } else if (name === K.A_SPECIFICATION) {
      const pos = c.pos;
      const s = referencedName(ctx, u, name, form, v.kind, v.num, hops + 1);
      c.pos = pos;
      if (s !== null) ret = s;
    }
  }
  return ret;
}

function compareFnAddrs(a: FnAddr, b: FnAddr): number {
  if (a.low !== b.low) return a.low < b.low ? -1 : 1;
  if (a.high !== b.high) return a.high < b.high ? 1 : -1;
  return a.fn.name < b.fn.name ? -1 : a.fn.name > b.fn.name ? 1 : 0;
}

/** The function range libbacktrace picks for pc: the innermost among those starting last. */
export function findFunction(a: FnAddr[], pc: number): FnAddr | null {
  let i = lastAtOrBelow(a, pc);
  if (i < 0) return null;
  for (;;) {
    if (pc < a[i]!.high) return a[i]!;
    if (i === 0 || a[i - 1]!.low < a[i]!.low) return null;
    i--;
  }
}

/** Appends the inlined frames of `fn` at pc, innermost first, moving `where` to each caller's call site. */
export function reportInlined(pc: number, fn: Fn, out: DwarfFrame[], where: { file: string | null; line: number }, depth = 0): void {
  if (fn.inlined === null || depth > K.MAX_DEPTH) return;
  const m = findFunction(fn.inlined, pc);
  if (m === null) return;
  reportInlined(pc, m.fn, out, where, depth + 1);
  out.push({ fn: m.fn.name, file: where.file, line: where.line });
  where.file = m.fn.callerFile;
  where.line = m.fn.callerLine;
}
