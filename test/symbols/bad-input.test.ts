// Truncated and hostile ELF and DWARF: every look-up ends (a frame, or nothing), never an
// exception or a hang.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CaptureTables } from "../../src/reader/index.ts";
import { SymbolsFormatError } from "../../src/symbols/bytes.ts";
import { DwarfData } from "../../src/symbols/dwarf.ts";
import { ElfFile } from "../../src/symbols/elf.ts";
import { createSymbolizer } from "../../src/symbols/index.ts";
import { seededRandom } from "../helpers/random.ts";

let haveCc = true;
try {
  execFileSync("cc", ["--version"], { stdio: "ignore" });
} catch {
  haveCc = false;
  console.warn("skipping the corrupted-binary tests: no C compiler (cc)");
}

const dir = mkdtempSync(join(tmpdir(), "heaptrail-bad-elf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = `__attribute__((noinline)) int sink(int x) { __asm__ volatile("" ::: "memory"); return x + 1; }
static inline __attribute__((always_inline)) int inner(int x) { return sink(x) * 2; }
__attribute__((noinline)) int outer(int x) { return inner(x) + sink(x); }
int main(int argc, char **argv) { (void)argv; return outer(argc); }
`;

/** A symbolizer over one image mapped at 0 with `segments` (the capture's view of it). */
function symbolizerOver(path: string, segments: Array<[number, number]>, warnings: string[]) {
  const tables = { mapGenerations: [[], [{ filename: path, loadAddress: 0, segments }]] } as unknown as CaptureTables;
  return createSymbolizer(tables, { warn: (m) => warnings.push(m), debugRoot: join(dir, "none") });
}

const random = seededRandom;

describe.skipIf(!haveCc)("corrupted binaries", () => {
  const src = join(dir, "p.c");
  const bin = join(dir, "p");
  if (haveCc) {
    writeFileSync(src, PROGRAM);
    execFileSync("cc", ["-g", "-O2", "-gdwarf-5", "-o", bin, src]);
  }
  const bytes = haveCc ? readFileSync(bin) : Buffer.alloc(0);
  const elf = haveCc ? ElfFile.open(bin) : null;
  const loads = elf?.loads ?? [];
  const text = elf?.section(".text");
  // Offsets worth asking about: every 4th byte of .text (as return addresses, so +1).
  const offsets: number[] = [];
  for (let a = text?.addr ?? 0; a < (text?.addr ?? 0) + (text?.size ?? 0); a += 4) offsets.push(a + 1);

  it("resolves the intact file (the baseline the corruptions start from)", () => {
    const frames = offsets.map((o) => symbolizerOver(bin, loads, [])(bin, o, o)).filter((f) => f !== null);
    expect(frames.flat().map((f) => f.function)).toContain("inner");
  });

  it("truncated files: nothing, and one warning for the image", () => {
    for (const size of [0, 3, 16, 63, 64, 200, 1000, bytes.length >> 1, bytes.length - 200, bytes.length - 1]) {
      const path = join(dir, `trunc-${size}`);
      writeFileSync(path, bytes.subarray(0, size));
      const warnings: string[] = [];
      const symbolize = symbolizerOver(path, loads, warnings);
      for (const o of offsets) {
        const frames = symbolize(path, o, o);
        if (frames !== null) for (const f of frames) expect(typeof f.function).toBe("string");
      }
      expect(warnings.length).toBeLessThanOrEqual(1);
    }
  });

  it("random bytes written over the section headers and each DWARF section", () => {
    const targets = elf!.sections.filter((s) => s.name.startsWith(".debug_") || s.name === ".symtab" || s.name === ".strtab");
    expect(targets.map((s) => s.name)).toEqual(expect.arrayContaining([".debug_info", ".debug_abbrev", ".debug_line"]));
    let resolved = 0;
    let seed = 1;
    const headerBytes = { offset: Number(bytes.readBigUInt64LE(0x28)), size: 64 * bytes.readUInt16LE(0x3c) };
    for (const target of [...targets, headerBytes]) {
      for (let round = 0; round < 12; round++, seed++) {
        const next = random(seed);
        const copy = Buffer.from(bytes);
        const hits = 1 + Math.floor(next() * 8);
        for (let h = 0; h < hits; h++) {
          const at = target.offset + Math.floor(next() * target.size);
          // Sizes past the end, huge counts, 0xff runs, or a random byte.
          const kind = Math.floor(next() * 3);
          if (kind === 0) copy.fill(0xff, at, Math.min(at + 4, copy.length));
          else if (kind === 1) copy.fill(0, at, Math.min(at + 2, copy.length));
          else copy[at] = Math.floor(next() * 256);
        }
        const path = join(dir, `fuzz-${seed}`);
        writeFileSync(path, copy);
        const symbolize = symbolizerOver(path, loads, []);
        for (const o of offsets) if (symbolize(path, o, o) !== null) resolved++;
      }
    }
    expect(resolved).toBeGreaterThan(0);
  });

  it("another build of the image (other segments) is reported and its ips dropped", () => {
    const warnings: string[] = [];
    const symbolize = symbolizerOver(bin, [[0, 4096]], warnings);
    expect(offsets.map((o) => symbolize(bin, o, o)).every((f) => f === null)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not the one the capture saw/);
  });
});

describe("missing images and macOS captures", () => {
  it("a missing image: one warning, its ips dropped", () => {
    const warnings: string[] = [];
    const missing = join(dir, "no-such-lib.so");
    const symbolize = symbolizerOver(missing, [[0, 4096]], warnings);
    expect(symbolize(missing, 16, 16)).toBeNull();
    expect(symbolize(missing, 32, 32)).toBeNull();
    expect(warnings).toEqual([`heaptrail: native frames in ${missing} dropped: the file is not on this machine\n`]);
  });

  it("a Mach-O image says macOS captures are out of scope", () => {
    const warnings: string[] = [];
    const dylib = "/usr/lib/libSystem.B.dylib";
    const symbolize = symbolizerOver(dylib, [[0, 4096]], warnings);
    expect(symbolize(dylib, 16, 16)).toBeNull();
    expect(warnings.join("")).toMatch(/macOS \(Mach-O\).*out of scope/);
  });
});

/** Hand-made DWARF 4: one unit [0x1000, 0x1100) with the given DIEs after the unit's own. */
function handMade(options: { subprogramRef?: "self"; rangesWithoutEnd?: boolean }) {
  // Abbreviations: 1 = compile unit (children), 2 = subprogram with DW_AT_specification.
  const abbrev = Buffer.from([
    ...(options.rangesWithoutEnd ? [1, 0x11, 1, 0x10, 0x17, 0x03, 0x08, 0x55, 0x17, 0, 0] : [1, 0x11, 1, 0x11, 0x01, 0x12, 0x07, 0x10, 0x17, 0x03, 0x08, 0, 0]),
    2, 0x2e, 0, 0x47, 0x13, 0x11, 0x01, 0x12, 0x07, 0, 0,
    0,
  ]);
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return [...b];
  };
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return [...b];
  };
  const cu = options.rangesWithoutEnd
    ? [1, ...u32(0), ...Buffer.from("a.c\0"), ...u32(0)]
    : [1, ...u64(0x1000), ...u64(0x100), ...u32(0), ...Buffer.from("a.c\0")];
  const header = 11; // unit length (4) + version (2) + abbrev offset (4) + address size (1)
  const subOffset = header + cu.length;
  const sub = [2, ...u32(subOffset), ...u64(0x1000), ...u64(0x10)];
  const body = [4, 0, ...u32(0), 8, ...cu, ...sub, 0];
  const info = Buffer.from([...u32(body.length), ...body]);
  // Line program v4: one file, one row at 0x1000.
  const hdr = [1, 1, 1, 0xfb, 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, ...Buffer.from("a.c\0"), 0, 0, 0, 0];
  const prog = [0, 9, 2, ...u64(0x1000), 1, 2, 0x80, 2, 0, 1, 1];
  const lineBody = [4, 0, ...u32(hdr.length), ...hdr, ...prog];
  const line = Buffer.from([...u32(lineBody.length), ...lineBody]);
  // .debug_ranges entries that never end (no 0/0 pair): the reader must stop at the section end.
  const ranges = Buffer.from([...u64(0x10), ...u64(0x20), ...u64(0x30), ...u64(0x40)]);
  return { info, abbrev, line, str: null, lineStr: null, addr: null, strOffsets: null, ranges, rnglists: null };
}

describe("hand-made hostile DWARF", () => {
  it("a DW_AT_specification that refers to itself ends (no name: the file only)", () => {
    const dwarf = new DwarfData(handMade({ subprogramRef: "self" }));
    expect(dwarf.lookup(0x1004)).toEqual([{ fn: null, file: "a.c", line: 1 }]);
  });

  it("a range list without its end is an error, not a hang", () => {
    expect(() => new DwarfData(handMade({ rangesWithoutEnd: true }))).toThrow(SymbolsFormatError);
  });

  it("DIEs nested without end (each one opening children) stop at a depth limit", () => {
    const abbrev = Buffer.from([1, 0x11, 1, 0x03, 0x08, 0, 0, 0]);
    const dies = Buffer.alloc(20_000, 0);
    for (let i = 0; i < dies.length; i += 2) dies[i] = 1; // code 1, name "" — forever deeper
    const body = Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 8]), dies]);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(body.length);
    const info = Buffer.concat([len, body]);
    expect(() => new DwarfData({ info, abbrev, line: null, str: null, lineStr: null, addr: null, strOffsets: null, ranges: null, rnglists: null })).toThrow(
      SymbolsFormatError,
    );
  });
});
