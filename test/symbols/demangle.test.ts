// The demangler against GCC's own: a stored table of hand-picked hard names with what
// __cxa_demangle (memray's demangler) and c++filt printed for them (test/data/symbols/
// demangle.tsv), and, where g++ and binutils are installed, every name of a C++ file compiled
// here (pocketfft-like templates, lambdas, local statics, operators, ABI tags, .cold/.isra/
// .constprop/._omp_fn clones) compared with c++filt and with __cxa_demangle itself.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demangle, demangleSymbol } from "../../src/symbols/demangle.ts";

const DATA = join(import.meta.dirname, "..", "data", "symbols");
/**
 * Names c++filt prints otherwise than GCC 12's __cxa_demangle, which we follow: Rust names
 * (c++filt applies Rust's rules) and types newer than GCC 12's demangler (DF16_: _Float16).
 */
const filtDiffers = (name: string) => name.startsWith("_R") || name.includes("$") || /17h[0-9a-f]{16}E/.test(name) || name.includes("DF16_");

describe("the stored table (c++filt and __cxa_demangle outputs)", () => {
  const rows = readFileSync(join(DATA, "demangle.tsv"), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split("\t") as [string, string, string]);

  it("holds the hard cases", () => {
    expect(rows.length).toBeGreaterThan(250);
    const names = rows.map((r) => r[0]).join("\n");
    for (const feature of ["Ul", "Ut", "B5cxx11", "Dp", "ZZ", "TV", "Th", ".cold", ".isra", "._omp_fn", "pocketfft_r", "Lb1E", "M1A"]) expect(names).toContain(feature);
  });

  it("prints every name as __cxa_demangle does (memray's frames), the mangled name where it fails", () => {
    const wrong = rows.filter(([m, cxa]) => demangleSymbol(m) !== cxa).map(([m, cxa]) => ({ m, cxa, got: demangleSymbol(m) }));
    expect(wrong).toEqual([]);
  });

  it("prints every name as c++filt does with verbose substitutions", () => {
    const wrong = rows.filter(([m, , filt]) => !filtDiffers(m) && (demangle(m, { verbose: true }) ?? m) !== filt).map(([m, , filt]) => ({ m, filt, got: demangle(m, { verbose: true }) }));
    expect(wrong).toEqual([]);
  });

  it("a few by hand", () => {
    expect(demangleSymbol("_ZN9pocketfft6detail11pocketfft_rIdE4execIdEEvPT_db")).toBe("void pocketfft::detail::pocketfft_r<double>::exec<double>(double*, double, bool)");
    expect(demangleSymbol("_ZNSs4sizeEv")).toBe("std::string::size()");
    expect(demangle("_ZNSs4sizeEv", { verbose: true })).toBe("std::basic_string<char, std::char_traits<char>, std::allocator<char> >::size()");
    expect(demangleSymbol("_ZN4core3fmt5write17h0123456789abcdefE")).toBe("core::fmt::write::h0123456789abcdef");
    // Not "_Z": left alone (C names, Rust v0), and so is anything malformed.
    for (const s of ["malloc", "_RNvCs1234_7mycrate3foo", "_Z", "_Z1fI", "_ZN3fooE.cold", "_Z1fS_"]) expect(demangleSymbol(s)).toBe(s);
  });

  it("ends on hostile input (deep nesting, huge lengths, self-referencing substitutions)", () => {
    for (const s of [`_Z1f${"P".repeat(100_000)}i`, `_Z${"N".repeat(5000)}1aE`, "_Z99999999999a", "_Z1fS0_S1_", `_Z1f${"IJ".repeat(3000)}`]) {
      expect(demangleSymbol(s)).toBe(s);
    }
  });
});

function have(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const missing = ["g++", "nm", "c++filt"].find((t) => !have(t));
if (missing !== undefined) console.warn(`skipping the compiled demangling tests: ${missing} is not installed`);

describe.skipIf(missing !== undefined)("names compiled here, against c++filt and __cxa_demangle", () => {
  const dir = missing === undefined ? mkdtempSync(join(tmpdir(), "heaptrail-demangle-")) : "";
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });
  const CXA = `#include <cxxabi.h>
#include <cstdlib>
#include <iostream>
#include <string>
int main() { std::string line; while (std::getline(std::cin, line)) { int status = 0;
  char* d = abi::__cxa_demangle(line.c_str(), nullptr, nullptr, &status);
  std::cout << (d ? d : line.c_str()) << "\\n"; std::free(d); } }
`;
  const names = (): string[] => {
    const obj = join(dir, "sample.o");
    const flags = ["-g", "-O2", "-c", "-o", obj, join(DATA, "demangle-sample.cc")];
    try {
      execFileSync("g++", ["-fopenmp", ...flags], { stdio: "ignore" });
    } catch {
      execFileSync("g++", flags); // no OpenMP here: no ._omp_fn clone
    }
    const out = execFileSync("nm", [obj], { encoding: "utf8" });
    return [...new Set(out.split("\n").map((l) => l.trim().split(/\s+/).pop()!).filter((n) => n.startsWith("_Z")))];
  };
  const run = (cmd: string, input: string[]) => execFileSync(cmd, [], { input: `${input.join("\n")}\n`, encoding: "utf8", maxBuffer: 1 << 26 }).split("\n").slice(0, input.length);

  it("every name of the compiled file equals c++filt's and __cxa_demangle's", () => {
    const list = names();
    expect(list.length).toBeGreaterThan(30);
    expect(list.some((n) => n.includes("pocketfft_rIdE"))).toBe(true);
    expect(list.some((n) => /\.(cold|isra|constprop)/.test(n))).toBe(true);
    const filt = run("c++filt", list);
    expect(list.map((n) => demangle(n, { verbose: true }) ?? n)).toEqual(filt);
    const cxa = join(dir, "cxa");
    writeFileSync(`${cxa}.cc`, CXA);
    execFileSync("g++", ["-O1", "-o", cxa, `${cxa}.cc`]);
    expect(list.map(demangleSymbol)).toEqual(run(cxa, list));
  });
});
