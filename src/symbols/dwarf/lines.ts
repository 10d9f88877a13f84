/**
 * A unit's line table (.debug_line, versions 2–5): the header's directories and files, then the
 * line program run into (pc, file, line) rows, sorted as libbacktrace sorts them.
 */
import { backtraceSort, ByteCursor, SymbolsFormatError } from "../bytes.ts";
import { initialLength, type FormReader } from "./forms.ts";
import type { DwarfSections, Line, Unit } from "./model.ts";
import { V_UINT } from "./constants.ts";

export interface LineHeader {
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

/** The unit's line header and rows; throws SymbolsFormatError when there is no usable table. */
export function readLines(s: DwarfSections, forms: FormReader, u: Unit): { header: LineHeader; lines: Line[] } {
  const header = readLineHeader(s, forms, u);
  const lines = readLineProgram(header);
  if (lines.length === 0) throw new SymbolsFormatError("empty line table");
  backtraceSort(lines, (a, b) => (a.pc < b.pc ? -1 : a.pc > b.pc ? 1 : a.idx - b.idx));
  return { header, lines };
}

/** The last line entry at or below pc (several at one pc: the last one). */
export function lineAt(lines: Line[], pc: number): Line | null {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.pc <= pc) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : lines[lo - 1]!;
}

function readLineHeader(s: DwarfSections, forms: FormReader, u: Unit): LineHeader {
  const sec = s.line;
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
    dirs = readEntryFormats(forms, hdr, u, addrSize, []);
    files = readEntryFormats(forms, hdr, u, addrSize, dirs);
  }
  if (lineRange === 0 || maxOps === 0) throw new SymbolsFormatError("bad line header");
  return { version, addrSize, minInsnLen, maxOps, lineBase, lineRange, opcodeBase, opcodeLengths, dirs, files, program: body };
}

/** DWARF 5's directory or file entries, described by (content type, form) pairs. */
function readEntryFormats(forms: FormReader, hdr: ByteCursor, u: Unit, addrSize: number, dirs: Array<string | null>): Array<string | null> {
  const formatCount = hdr.u8();
  const lnct: number[] = [];
  const formList: number[] = [];
  for (let i = 0; i < formatCount; i++) {
    lnct.push(hdr.uleb());
    formList.push(hdr.uleb());
  }
  const count = hdr.uleb();
  if (count > hdr.left) throw new SymbolsFormatError("too many line header entries");
  const out: Array<string | null> = [];
  const v = forms.v;
  for (let n = 0; n < count; n++) {
    let dir: string | null = null;
    let path: string | undefined;
    for (let i = 0; i < formatCount; i++) {
      forms.read(formList[i]!, 0, hdr, u, addrSize);
      if (lnct[i] === 1) {
        const str = forms.string(v, u);
        if (str !== undefined) path = str;
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

function readLineProgram(h: LineHeader): Line[] {
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
