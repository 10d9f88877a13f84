// The symbolizer against binutils' `addr2line -f -i` on small programs compiled here, with an
// inlined call chain: DWARF 4 and 5, compressed sections, separate debug files (by build id and
// by .gnu_debuglink), and the symbol table when there is no DWARF.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ElfFile } from "../../src/symbols/elf.ts";
import { ElfImage } from "../../src/symbols/image.ts";

function have(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const TOOLS = ["cc", "addr2line", "objcopy", "objdump"];
const missingTool = TOOLS.find((t) => !have(t));
if (missingTool !== undefined) console.warn(`skipping ELF/DWARF unit tests: ${missingTool} is not installed`);

const PROGRAM = `#include <stdlib.h>
__attribute__((noinline)) int sink(int x) { __asm__ volatile("" ::: "memory"); return x + 1; }
static inline __attribute__((always_inline)) int inner(int x) { return sink(x) * 2; }
static inline __attribute__((always_inline)) int middle(int x) { return inner(x + 1) + 3; }
__attribute__((noinline)) int outer(int x) { return middle(x) * 5 + sink(x); }
__attribute__((noinline)) void *grow(size_t n) { void *p = malloc(n); __asm__ volatile("" ::: "memory"); return p; }
int main(int argc, char **argv) { (void)argv; free(grow((size_t)argc)); return outer(argc); }
`;

const dir = missingTool === undefined ? mkdtempSync(join(tmpdir(), "heaptrail-symbols-")) : "";
afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

function compile(name: string, flags: string[]): string {
  const src = join(dir, "prog.c");
  writeFileSync(src, PROGRAM);
  const out = join(dir, name);
  execFileSync("cc", [...flags, "-o", out, src]);
  return out;
}

/** Return addresses of every call in .text (what a native stack holds). */
function returnAddresses(path: string): number[] {
  const lines = execFileSync("objdump", ["-d", "--no-show-raw-insn", path], { encoding: "utf8" }).split("\n");
  const out: number[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    if (!/\scall\s/.test(lines[i]!)) continue;
    const next = /^\s*([0-9a-f]+):/.exec(lines[i + 1]!);
    if (next) out.push(parseInt(next[1]!, 16));
  }
  return out;
}

/** addr2line's frames for pc, innermost first; null when it knows no function there. */
function oracle(path: string, pc: number): Array<{ function: string; filename: string; lineno: number }> | null {
  const text = execFileSync("addr2line", ["-f", "-i", "-e", path, `0x${pc.toString(16)}`], { encoding: "utf8" }).trim().split("\n");
  const frames = [];
  for (let i = 0; i + 1 < text.length; i += 2) {
    const fn = text[i]!;
    const where = text[i + 1]!.replace(/ \(discriminator \d+\)$/, "");
    const colon = where.lastIndexOf(":");
    // Only DWARF answers are compared ("??" files come from addr2line's own symbol look-up).
    if (fn === "??" || where.startsWith("??")) return null;
    frames.push({ function: fn, filename: where.slice(0, colon), lineno: Number(where.slice(colon + 1)) || 0 });
  }
  return frames;
}

/** Every call site of the program resolved by both, as memray asks (return address − 1). */
function compareWithAddr2line(image: ElfImage, oraclePath: string): number {
  let compared = 0;
  for (const ret of returnAddresses(oraclePath)) {
    const expected = oracle(oraclePath, ret - 1);
    // Calls in the C runtime's start-up code have no DWARF here: addr2line names them from symbols.
    if (expected === null || !expected.every((f) => f.filename.endsWith("/prog.c"))) continue;
    expect(image.resolve(ret - 1), `pc 0x${(ret - 1).toString(16)}`).toEqual(expected);
    compared++;
  }
  return compared;
}

describe.skipIf(missingTool !== undefined)("ELF/DWARF symbolizer vs addr2line", () => {
  for (const [label, flags] of [
    ["DWARF 5", ["-g", "-O2", "-gdwarf-5"]],
    ["DWARF 4", ["-g", "-O2", "-gdwarf-4"]],
    ["DWARF 5, compressed sections (-gz)", ["-g", "-O2", "-gdwarf-5", "-gz"]],
    ["DWARF 4, compressed sections (-gz)", ["-g", "-O2", "-gdwarf-4", "-gz"]],
  ] as const) {
    it(`${label}: every call site, inlined frames included`, () => {
      const path = compile(label.replace(/\W+/g, "_"), [...flags]);
      const image = new ElfImage(path, { debugRoot: join(dir, "no-debug-root") });
      expect(compareWithAddr2line(image, path)).toBeGreaterThan(3);
      // The inlined chain: sink's caller inner, inlined into middle, inlined into outer.
      const frames = returnAddresses(path)
        .map((r) => image.resolve(r - 1))
        .find((f) => f !== null && f.length === 3);
      expect(frames?.map((f) => f.function)).toEqual(["inner", "middle", "outer"]);
      expect(frames?.map((f) => f.lineno)).toEqual([3, 4, 5]);
    });
  }

  it("the old .zdebug_* compression (zlib-gnu)", () => {
    const plain = compile("plain4", ["-g", "-O2", "-gdwarf-4"]);
    const gnu = join(dir, "zdebug");
    execFileSync("objcopy", ["--compress-debug-sections=zlib-gnu", plain, gnu]);
    expect(ElfFile.open(gnu).section(".zdebug_info")).toBeDefined();
    expect(compareWithAddr2line(new ElfImage(gnu, { debugRoot: join(dir, "none") }), plain)).toBeGreaterThan(3);
  });

  it("a stripped file with its debug file found by .gnu_debuglink (CRC checked)", () => {
    const full = compile("full", ["-g", "-O2"]);
    // A 10-character name: libbacktrace reads the CRC at the name's length rounded up to 4, so
    // for names of 4k characters it reads padding (CRC 0: unchecked). We read it the same way.
    const debug = join(dir, "prog.debug");
    const stripped = join(dir, "linked");
    execFileSync("objcopy", ["--only-keep-debug", full, debug]);
    // Relative names, from the folder, as a packager runs it (the link holds the name and its CRC).
    execFileSync("objcopy", ["--strip-debug", "--add-gnu-debuglink=prog.debug", "full", "linked"], { cwd: dir });
    expect(ElfFile.open(stripped).debuglink()?.crc).not.toBe(0);
    const image = new ElfImage(stripped, { debugRoot: join(dir, "none") });
    expect(image.debugFile).toBe(debug);
    expect(compareWithAddr2line(image, full)).toBeGreaterThan(3);
    // A debug file whose CRC differs is not used: back to the symbol table.
    writeFileSync(debug, Buffer.concat([Buffer.from(ElfFile.open(debug).read(0, 64)), Buffer.alloc(64)]));
    const other = new ElfImage(stripped, { debugRoot: join(dir, "none") });
    expect(other.debugFile).toBeNull();
  });

  it("a stripped file with its debug file found by build id", () => {
    const full = compile("byid", ["-g", "-O2", "-Wl,--build-id"]);
    const id = ElfFile.open(full).buildId()!;
    expect(id).toMatch(/^[0-9a-f]{8,}$/);
    const root = join(dir, "debug-root");
    mkdirSync(join(root, ".build-id", id.slice(0, 2)), { recursive: true });
    const debug = join(root, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`);
    execFileSync("objcopy", ["--only-keep-debug", full, debug]);
    const stripped = join(dir, "byid-stripped");
    execFileSync("objcopy", ["--strip-all", full, stripped]);
    const image = new ElfImage(stripped, { debugRoot: root });
    expect(image.debugFile).toBe(debug);
    expect(compareWithAddr2line(image, full)).toBeGreaterThan(3);
  });

  it("no DWARF: the symbol table's name, file <unknown>; no symbols at all: dropped", () => {
    const nodebug = compile("nodebug", ["-O2"]);
    const image = new ElfImage(nodebug, { debugRoot: join(dir, "none") });
    const names = returnAddresses(nodebug).map((r) => image.resolve(r - 1)![0]!);
    expect(names).toContainEqual({ function: "outer", filename: "<unknown>", lineno: 0 });
    expect(names).toContainEqual({ function: "main", filename: "<unknown>", lineno: 0 });
    const bare = join(dir, "bare");
    copyFileSync(nodebug, bare);
    execFileSync("objcopy", ["--strip-all", "--remove-section=.dynsym", bare]);
    const none = new ElfImage(bare, { debugRoot: join(dir, "none") });
    const out = returnAddresses(nodebug).map((r) => none.resolve(r - 1));
    // Without any symbol table memray gets nothing for these ips and drops them.
    expect(out.every((f) => f === null || f[0]!.function === "<unknown>")).toBe(true);
  });
});
