// memray's flame graphs of a `--native` capture with C++ frames (test/data/memray-cxx: a small
// C++ library of templates and namespaces loaded with ctypes), compared frame for frame with
// heaptrail's, demangled names included. The capture names the library by the absolute path it
// was loaded from (a neutral folder under /tmp, see test/data/memray-cxx/README.md): the test
// reads that path from the capture's memory map and puts the committed library back there. The
// other images (python3.11, libc with libc6-dbg, _ctypes, libffi) must be this machine's, as for
// the other native goldens.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { viewTree } from "../../src/analysis/analyze.ts";
import { createSymbolizer } from "../../src/symbols/index.ts";
import { ElfFile } from "../../src/symbols/elf.ts";
import { checkFlameGolden, FLAME_VARIANTS, loadCapture } from "../analysis/golden.ts";
import { missingReferenceImages } from "./reference-images.ts";

const DIR = join(import.meta.dirname, "..", "data", "memray-cxx");
const CAPTURE = join(DIR, "cxx.native.bin");
/** Where the library was loaded from when recorded: the capture's memory map names it. */
const LIBRARY = loadCapture(CAPTURE)
  .tables.mapGenerations.flat()
  .find((image) => image.filename.endsWith("/libheaptrail_cxx.so"))!.filename;
/** Images in the capture's stacks besides the reference ones (ctypes' call into the library). */
const CTYPES_BUILD_IDS: Record<string, string> = {
  "/usr/lib/python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so": "52e1af3a1ff77cd9e407e8860ae33c1e87ae9fac",
  "/lib/x86_64-linux-gnu/libffi.so.8": "4b5ef0d8f602b880c279f15ed3b07bf6686ea09b",
};

function missingImages(): string | null {
  const reference = missingReferenceImages();
  if (reference !== null) return reference;
  for (const [path, id] of Object.entries(CTYPES_BUILD_IDS)) {
    try {
      const elf = ElfFile.open(path);
      const got = elf.buildId();
      elf.close();
      if (got !== id) return `${path} has build id ${got}, the fixture's is ${id}`;
    } catch {
      return `${path} is missing`;
    }
  }
  return null;
}

/** The committed library at the path the capture names (replaced atomically if it differs). */
function placeLibrary(): void {
  const bytes = readFileSync(join(DIR, "libheaptrail_cxx.so"));
  const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  try {
    if (digest(readFileSync(LIBRARY)) === digest(bytes)) return;
  } catch {
    // not there yet
  }
  mkdirSync(dirname(LIBRARY), { recursive: true });
  const tmp = `${LIBRARY}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o755 });
  renameSync(tmp, LIBRARY);
}

const missing = missingImages();
if (missing !== null) console.warn(`skipping the C++ native golden: ${missing}`);

describe.skipIf(missing !== null)("memray 1.20.0 native with C++ frames, symbolized and demangled", () => {
  beforeAll(placeLibrary);

  for (const variant of FLAME_VARIANTS) {
    it(variant, () => checkFlameGolden(CAPTURE, join(DIR, `cxx.native.flamegraph-${variant}.json`), variant, true));
  }

  it("shows the C++ frames demangled, as memray does", () => {
    const capture = loadCapture(CAPTURE);
    const tree = viewTree(capture, "peak", { mergeThreads: true, symbolize: createSymbolizer(capture.tables) })!;
    const names = new Set<string>();
    for (let i = 0; i < tree.size; i++) names.add(tree.frames[tree.frame[i]!]!.function);
    for (const name of [
      "double* pocketfft::detail::pocketfft_r<double>::exec<double>(double, bool) const",
      "pocketfft::detail::arr<pocketfft::detail::cmplx<double> >::arr(unsigned long)",
      "cache::Table<int, long>::operator[](unsigned long)",
    ]) {
      expect(names).toContain(name);
    }
    expect([...names].filter((n) => n.startsWith("_Z"))).toEqual([]);
  });
});
