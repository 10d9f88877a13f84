// The lazy DWARF index and its cache on disk: the address map read from .debug_aranges equals
// the one libbacktrace's walk of every unit builds, and a symbolizer reading the index from its
// cache answers exactly as one parsing the debug file, never trusting a file that does not check out.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Abbreviations } from "../../src/symbols/dwarf/abbrev.ts";
import { cachePath, DWARF_INDEX_FORMAT } from "../../src/symbols/dwarf/cache.ts";
import { FormReader } from "../../src/symbols/dwarf/forms.ts";
import type { DwarfContext, DwarfSections, Unit } from "../../src/symbols/dwarf/model.ts";
import { arangesAddressMap, readUnitHeaders, scanAddressMap, unitAtOffset } from "../../src/symbols/dwarf/units.ts";
import { flushCacheWrites } from "../../src/symbols/disk-cache.ts";
import { ElfFile } from "../../src/symbols/elf.ts";
import { ElfImage, type ResolvedFrame } from "../../src/symbols/image.ts";

let haveTools = true;
try {
  for (const t of ["cc", "objdump"]) execFileSync(t, ["--version"], { stdio: "ignore" });
} catch {
  haveTools = false;
  console.warn("skipping the DWARF index tests: cc or objdump is not installed");
}

const dir = mkdtempSync(join(tmpdir(), "heaptrail-dwarf-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIRST = `#include <stdlib.h>
__attribute__((noinline)) int sink(int x) { __asm__ volatile("" ::: "memory"); return x + 1; }
static inline __attribute__((always_inline)) int inner(int x) { return sink(x) * 2; }
__attribute__((noinline)) int outer(int x) { return inner(x + 1) + sink(x); }
int second(int x);
int main(int argc, char **argv) { (void)argv; return outer(argc) + second(argc); }
`;
const SECOND = `int sink(int x);
static inline __attribute__((always_inline)) int twice(int x) { return sink(x) + sink(x + 1); }
__attribute__((noinline)) int second(int x) { return twice(x) * 3; }
`;

function compile(name: string, flags: string[]): string {
  writeFileSync(join(dir, "first.c"), FIRST);
  writeFileSync(join(dir, "second.c"), SECOND);
  const out = join(dir, name);
  execFileSync("cc", [...flags, "-Wl,--build-id", "-o", out, join(dir, "first.c"), join(dir, "second.c")]);
  return out;
}

/** Call sites (return address − 1, as memray asks) by the function holding them. */
function callSites(path: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let fn = "";
  const lines = execFileSync("objdump", ["-d", "--no-show-raw-insn", path], { encoding: "utf8" }).split("\n");
  for (let i = 0; i < lines.length - 1; i++) {
    const head = /^[0-9a-f]+ <([^>]+)>:/.exec(lines[i]!);
    if (head) fn = head[1]!;
    if (!/\scall\s/.test(lines[i]!)) continue;
    const next = /^\s*([0-9a-f]+):/.exec(lines[i + 1]!);
    if (next) out.set(fn, [...(out.get(fn) ?? []), parseInt(next[1]!, 16) - 1]);
  }
  return out;
}

function sectionsOf(path: string): DwarfSections {
  const elf = ElfFile.open(path);
  const g = (n: string) => elf.debugSection(n);
  const s = { info: g(".debug_info")!, abbrev: g(".debug_abbrev")!, line: g(".debug_line"), str: g(".debug_str"), lineStr: g(".debug_line_str"), addr: g(".debug_addr"), strOffsets: g(".debug_str_offsets"), ranges: g(".debug_ranges"), rnglists: g(".debug_rnglists"), aranges: g(".debug_aranges") };
  elf.close();
  return s;
}

/** The address map both ways, as (low, high, unit number) rows. */
function bothMaps(s: DwarfSections): { scanned: string[]; fromAranges: string[] | null } {
  const build = () => {
    const units: Unit[] = [];
    const ctx: DwarfContext = { s, abbrevs: new Abbreviations(s.abbrev), forms: new FormReader(s), unitAtOffset: (o) => unitAtOffset(units, o) };
    units.push(...readUnitHeaders(ctx));
    return { ctx, units };
  };
  const a = build();
  const b = build();
  const rows = (m: Array<{ low: number; high: number; unit: Unit }>, units: Unit[]) => m.map((e) => `${e.low}-${e.high}-${units.indexOf(e.unit)}`);
  const ar = arangesAddressMap(b.ctx, b.units, s.aranges!);
  return { scanned: rows(scanAddressMap(a.ctx, a.units), a.units), fromAranges: ar === null ? null : rows(ar, b.units) };
}

const LIBC_DEBUG = "/usr/lib/debug/.build-id/93/ac61ec5a8eb1396f9fbd350e3169a558528a40.debug";

describe.skipIf(!haveTools)("the address map from .debug_aranges", () => {
  for (const flags of [["-gdwarf-4"], ["-gdwarf-5"], ["-gdwarf-5", "-ffunction-sections"]]) {
    it(`equals the unit walk's (${flags.join(" ")})`, () => {
      const s = sectionsOf(compile("map", ["-g", "-O2", ...flags]));
      expect(s.aranges).not.toBeNull();
      const { scanned, fromAranges } = bothMaps(s);
      expect(scanned.length).toBeGreaterThan(1);
      expect(fromAranges).toEqual(scanned);
    });
  }

  it.skipIf(!existsSync(LIBC_DEBUG))("equals the unit walk's on libc's debug file (2,000 units)", () => {
    const { scanned, fromAranges } = bothMaps(sectionsOf(LIBC_DEBUG));
    expect(scanned.length).toBeGreaterThan(1000);
    expect(fromAranges).toEqual(scanned);
  });
});

describe.skipIf(!haveTools)("the DWARF index cache", () => {
  const resolveAll = (image: ElfImage, pcs: number[]): Array<ResolvedFrame[] | null> => pcs.map((pc) => image.resolve(pc));

  /** The program, a copy of it whose .debug_info is zeroed (only a cache can answer from it), and the call sites. */
  function setUp(name: string) {
    const path = compile(name, ["-g", "-O2", "-gdwarf-5"]);
    const blind = `${path}.blind`;
    copyFileSync(path, blind);
    const elf = ElfFile.open(path);
    const info = elf.section(".debug_info")!;
    const buildId = elf.buildId()!;
    elf.close();
    const bytes = readFileSync(blind);
    bytes.fill(0, info.offset, info.offset + info.size);
    writeFileSync(blind, bytes);
    const sites = callSites(path);
    const first = [...(sites.get("outer") ?? []), ...(sites.get("main") ?? [])];
    const second = sites.get("second") ?? [];
    expect(first.length).toBeGreaterThan(1);
    expect(second.length).toBeGreaterThan(1);
    const cacheDir = join(dir, `cache-${name}`);
    return { path, blind, buildId, first, second, cacheDir };
  }
  const none = join(dir, "no-debug-root");

  it("answers from the cache as from the debug file, and adds the units it lacked", () => {
    const { path, blind, buildId, first, second, cacheDir } = setUp("cached");
    const expectedFirst = resolveAll(new ElfImage(path, { debugRoot: none }), first);
    const expectedSecond = resolveAll(new ElfImage(path, { debugRoot: none }), second);
    expect(expectedFirst.some((f) => f?.some((x) => x.function === "inner"))).toBe(true);
    expect(expectedSecond.some((f) => f?.some((x) => x.function === "twice"))).toBe(true);
    // Without a cache, the zeroed copy has no usable DWARF: symbol-table names only.
    expect(resolveAll(new ElfImage(blind, { debugRoot: none }), first)).not.toEqual(expectedFirst);

    expect(resolveAll(new ElfImage(path, { debugRoot: none, cacheDir }), first)).toEqual(expectedFirst);
    flushCacheWrites();
    expect(readdirSync(cacheDir)).toEqual([`${buildId}.dwarf-index`]);
    expect(resolveAll(new ElfImage(blind, { debugRoot: none, cacheDir }), first)).toEqual(expectedFirst);

    // A unit the cache lacks is read from the sections, and the cache then holds it too.
    expect(resolveAll(new ElfImage(path, { debugRoot: none, cacheDir }), second)).toEqual(expectedSecond);
    flushCacheWrites();
    const blindImage = new ElfImage(blind, { debugRoot: none, cacheDir });
    expect(resolveAll(blindImage, second)).toEqual(expectedSecond);
    expect(resolveAll(blindImage, first)).toEqual(expectedFirst);
  });

  it("ignores a cache file that is corrupt, of another build, or of another version", () => {
    const { path, blind, buildId, first, cacheDir } = setUp("checked");
    const expected = resolveAll(new ElfImage(path, { debugRoot: none }), first);
    const withoutCache = resolveAll(new ElfImage(blind, { debugRoot: none }), first);
    resolveAll(new ElfImage(path, { debugRoot: none, cacheDir }), first);
    flushCacheWrites();
    const file = cachePath(cacheDir, buildId);
    const good = readFileSync(file, "utf8");
    expect(resolveAll(new ElfImage(blind, { debugRoot: none, cacheDir }), first)).toEqual(expected);
    const [header, body] = [good.slice(0, good.indexOf("\n")), good.slice(good.indexOf("\n") + 1)];
    const variants: Record<string, string> = {
      "a changed body": `${header}\n${body.replace(/\d(?=,)/, (d) => String((Number(d) + 1) % 10))}`,
      "a truncated file": good.slice(0, good.length >> 1),
      "another build id": good.replace(buildId, "0".repeat(buildId.length)),
      "another version": good.replace(`"version":${DWARF_INDEX_FORMAT.version}`, `"version":${DWARF_INDEX_FORMAT.version + 1}`),
      "not JSON": "\u0000\u0001garbage\n{",
    };
    for (const [what, text] of Object.entries(variants)) {
      writeFileSync(file, text);
      expect(resolveAll(new ElfImage(blind, { debugRoot: none, cacheDir }), first), what).toEqual(withoutCache);
    }
    // A file whose digest checks out but whose contents do not (a unit out of range) is refused too.
    const parsed = JSON.parse(body) as { units: number };
    const nonsense = JSON.stringify({ ...parsed, units: 0 });
    const rehashed = JSON.stringify({ ...JSON.parse(header), sha256: createHash("sha256").update(nonsense).digest("hex") });
    writeFileSync(file, `${rehashed}\n${nonsense}`);
    expect(resolveAll(new ElfImage(blind, { debugRoot: none, cacheDir }), first)).toEqual(withoutCache);
    writeFileSync(file, good);
    expect(resolveAll(new ElfImage(blind, { debugRoot: none, cacheDir }), first)).toEqual(expected);
  });
});

describe.skipIf(!haveTools)("the symbol table cache", () => {
  it("answers from the cache as from the file, and ignores a file that does not check out", () => {
    const path = join(dir, "nodebug");
    writeFileSync(join(dir, "first.c"), FIRST);
    writeFileSync(join(dir, "second.c"), SECOND);
    execFileSync("cc", ["-O2", "-Wl,--build-id", "-o", path, join(dir, "first.c"), join(dir, "second.c")]);
    const elf = ElfFile.open(path);
    const symtab = elf.sections.find((s) => s.name === ".symtab")!;
    const buildId = elf.buildId()!;
    elf.close();
    // A copy whose symbol table is zeroed: only the cache can name its functions.
    const blind = `${path}.blind`;
    const bytes = readFileSync(path);
    bytes.fill(0, symtab.offset, symtab.offset + symtab.size);
    writeFileSync(blind, bytes);
    const pcs = [...callSites(path).values()].flat();
    const none = join(dir, "no-debug-root");
    const cacheDir = join(dir, "symbol-cache");
    const expected = pcs.map((pc) => new ElfImage(path, { debugRoot: none }).resolve(pc));
    expect(expected.map((f) => f?.[0]?.function)).toContain("outer");
    const withoutCache = pcs.map((pc) => new ElfImage(blind, { debugRoot: none }).resolve(pc));
    expect(withoutCache).not.toEqual(expected);

    const first = new ElfImage(path, { debugRoot: none, cacheDir });
    expect(pcs.map((pc) => first.resolve(pc))).toEqual(expected);
    flushCacheWrites();
    const file = join(cacheDir, `${buildId}.symbols`);
    expect(existsSync(file)).toBe(true);
    const fromCache = new ElfImage(blind, { debugRoot: none, cacheDir });
    expect(pcs.map((pc) => fromCache.resolve(pc))).toEqual(expected);

    writeFileSync(file, readFileSync(file, "utf8").replace(/"address":\[(\d)/, (_, d: string) => `"address":[${(Number(d) + 1) % 10}`));
    const corrupt = new ElfImage(blind, { debugRoot: none, cacheDir });
    expect(pcs.map((pc) => corrupt.resolve(pc))).toEqual(withoutCache);
  });
});
