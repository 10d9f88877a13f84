/**
 * .debug_abbrev, decoded lazily: a table is skimmed for the one code asked first (GCC puts a
 * unit's own abbreviation last, and the address map needs only that one from every unit), and
 * decoded whole on the first other look-up. Attribute triples live in one shared pool.
 */
import { ByteCursor, SymbolsFormatError } from "../bytes.ts";
import { F_IMPLICIT_CONST } from "./constants.ts";

/** An abbreviation: its attributes are `count` (name, form, implicit value) triples of the pool at `start`. */
export interface Abbrev {
  tag: number;
  hasChildren: boolean;
  start: number;
  count: number;
}

/** An abbreviation table, decoded lazily (see `Abbreviations.lookup`). The first of duplicate codes wins. */
export interface AbbrevTable {
  byCode: Map<number, Abbrev>;
  /** Offset of the table in .debug_abbrev. */
  start: number;
  /** Every entry decoded (or the table proved not to have the code asked for). */
  full: boolean;
}

export class Abbreviations {
  private readonly bytes: Uint8Array;
  private readonly tables = new Map<number, AbbrevTable>();
  /** Every decoded abbreviation's attribute triples (name, form, implicit value). */
  pool = new Float64Array(4096);
  private poolLength = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** The table at `offset` (shared by every unit that names it). */
  tableAt(offset: number): AbbrevTable {
    let table = this.tables.get(offset);
    if (table !== undefined) return table;
    if (offset >= this.bytes.length) throw new SymbolsFormatError("abbrev offset out of range");
    table = { byCode: new Map(), start: offset, full: false };
    this.tables.set(offset, table);
    return table;
  }

  /** Abbreviation `code` of table `t`: the first look-up skims, any other decodes the whole table once. */
  lookup(t: AbbrevTable, code: number): Abbrev {
    let a = t.byCode.get(code);
    if (a !== undefined) return a;
    if (!t.full) {
      const keepAll = t.byCode.size > 0;
      this.decode(t, keepAll ? -1 : code);
      if (keepAll) t.full = true;
      a = t.byCode.get(code);
    }
    if (a === undefined) throw new SymbolsFormatError(`invalid abbreviation code ${code}`);
    return a;
  }

  /** Decodes a table from its start: every entry (only = −1) or only the first with code `only`. */
  private decode(t: AbbrevTable, only: number): void {
    const bytes = this.bytes;
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
}
