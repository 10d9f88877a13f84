/**
 * An image's symbol tables (its own, then its debug file's), sorted as libbacktrace sorts them,
 * kept on disk per build id (see disk-cache.ts): reading and sorting python3.11's and libc's
 * tables is most of what a new process still spends symbolizing once the DWARF index is cached
 * (~20 ms of ~60 ms, measured with `npm run bench:symbols`).
 */
import { join } from "node:path";
import { cstringAt } from "./bytes.ts";
import { wrapCache, type CacheFormat } from "./disk-cache.ts";
import type { ElfSymbol } from "./elf.ts";

export const SYMBOL_TABLES_FORMAT: CacheFormat = { name: "heaptrail-symbol-tables", version: 1 };

export function symbolTablesPath(dir: string, buildId: string): string {
  return join(dir, `${buildId}.symbols`);
}

interface Body {
  /** How many files the tables came from (the image, and its debug file when there is one). */
  sources: number;
  tables: Array<{ address: number[]; size: number[]; names: string }>;
}

export function encodeSymbolTables(buildId: string, sources: number, tables: readonly ElfSymbol[][]): string {
  const body: Body = {
    sources,
    tables: tables.map((t) => ({
      address: t.map((s) => s.address),
      size: t.map((s) => s.size),
      names: t.map((s) => cstringAt(s.strtab, s.nameOffset)).join("\u0000"),
    })),
  };
  return wrapCache(SYMBOL_TABLES_FORMAT, buildId, JSON.stringify(body));
}

/** The tables of a cache file's body, or null when its contents do not check out. */
export function decodeSymbolTables(body: string, sources: number): ElfSymbol[][] | null {
  try {
    const b = JSON.parse(body) as Body;
    if (b.sources !== sources || !Array.isArray(b.tables) || b.tables.length > sources) return null;
    const encoder = new TextEncoder();
    const out: ElfSymbol[][] = [];
    for (const t of b.tables) {
      const { address, size, names } = t;
      if (!Array.isArray(address) || !Array.isArray(size) || typeof names !== "string" || address.length !== size.length) return null;
      // One strtab for the table: the names, each ended by a NUL.
      const strtab = encoder.encode(`${names}\u0000`);
      const symbols: ElfSymbol[] = [];
      let at = 0;
      for (let i = 0; i < address.length; i++) {
        const a = address[i];
        const s = size[i];
        if (!Number.isSafeInteger(a) || !Number.isSafeInteger(s) || a! < 0 || s! < 0) return null;
        if (i > 0 && a! < address[i - 1]!) return null;
        if (at >= strtab.length) return null;
        symbols.push({ nameOffset: at, strtab, address: a!, size: s! });
        at = strtab.indexOf(0, at) + 1;
        if (at === 0) return null;
      }
      if (at !== (address.length === 0 ? 0 : strtab.length)) return null;
      out.push(symbols);
    }
    return out;
  } catch {
    return null;
  }
}
