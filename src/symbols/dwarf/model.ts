/**
 * What the DWARF parts parse into: compilation units with their address ranges and, once read,
 * their line table and functions (the tree of inlined calls libbacktrace keeps).
 */
import type { Abbreviations, AbbrevTable } from "./abbrev.ts";
import type { FormReader } from "./forms.ts";

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
  /** .debug_aranges: when present, the address map is read from it (see units.ts). */
  aranges?: Uint8Array | null;
}

/** One frame of libbacktrace's answer; `fn` null means "no function known" (memray skips it). */
export interface DwarfFrame {
  fn: string | null;
  file: string | null;
  line: number;
}

export interface Line {
  pc: number;
  file: string;
  line: number;
  idx: number;
}

export interface Fn {
  name: string;
  callerFile: string | null;
  callerLine: number;
  /** Inlined calls, sorted as libbacktrace sorts them. */
  inlined: FnAddr[] | null;
}

export interface FnAddr {
  low: number;
  high: number;
  fn: Fn;
}

export interface Unit {
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
  /** The unit DIE's attributes (lineOff, names, bases) are read (the address map from .debug_aranges reads them on demand). */
  dieRead: boolean;
  /** null: not read yet; "failed": no usable line table. */
  lines: Line[] | null | "failed";
  functions: FnAddr[];
}

/** What a unit's header gives; the rest of a Unit is read later (its DIE, lines, functions). */
export type UnitHeader = Pick<Unit, "lowOffset" | "highOffset" | "dataStart" | "dataEnd" | "dataOffset" | "version" | "is64" | "addrSize" | "abbrevs">;

/** A unit from its header, with nothing of its DIE, line table or functions read yet. */
export function newUnit(header: UnitHeader): Unit {
  return {
    ...header,
    filename: null,
    compDir: null,
    absFilename: null,
    lineOff: 0,
    strOffsetsBase: 0,
    addrBase: 0,
    rnglistsBase: 0,
    dieRead: false,
    lines: null,
    functions: [],
  };
}

export interface UnitAddr {
  low: number;
  high: number;
  unit: Unit;
}

/** What every part reads through: the sections, their abbreviations and forms, the units. */
export interface DwarfContext {
  s: DwarfSections;
  abbrevs: Abbreviations;
  forms: FormReader;
  /** The unit holding .debug_info offset `offset`, or null. */
  unitAtOffset(offset: number): Unit | null;
}
