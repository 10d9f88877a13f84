// The commands symbolize native captures by default; --no-symbols keeps Python frames only; an
// image missing on this machine is reported once.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { flushCacheWrites } from "../../src/symbols/index.ts";
import { TextSink } from "../helpers/cli.ts";
import { DETAILED_DIR, MEMRAY_DIR } from "../helpers/fixtures.ts";
import { missingReferenceImages } from "./reference-images.ts";

async function run(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = new TextSink();
  let stderr = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    const status = await main(argv, out, process.stderr);
    return { status, stdout: out.text, stderr };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

// The parsed DWARF indexes go to this folder, not the user's cache (HEAPTRAIL_SYMBOL_CACHE).
const scratch = mkdtempSync(join(tmpdir(), "heaptrail-symbols-cli-"));
const previousCache = process.env.HEAPTRAIL_SYMBOL_CACHE;
process.env.HEAPTRAIL_SYMBOL_CACHE = join(scratch, "user-cache");
afterAll(() => {
  if (previousCache === undefined) delete process.env.HEAPTRAIL_SYMBOL_CACHE;
  else process.env.HEAPTRAIL_SYMBOL_CACHE = previousCache;
  rmSync(scratch, { recursive: true, force: true });
});
const LIBC_INDEX = "93ac61ec5a8eb1396f9fbd350e3169a558528a40.dwarf-index";

const missing = missingReferenceImages();
const capture = `${MEMRAY_DIR}/1.20.0/threads.native.bin`;

describe("heaptrail on native captures", () => {
  it.skipIf(missing !== null)("flamegraph and tree show native frames unless --no-symbols", async () => {
    const folded = await run(["flamegraph", capture]);
    expect(folded.status).toBe(0);
    expect(folded.stdout).toContain("start_thread (./nptl/pthread_create.c:442)");
    const plain = await run(["flamegraph", "--no-symbols", capture]);
    expect(plain.stdout).not.toContain("pthread_create.c");
    expect(plain.stdout).toContain("threads.py");
    const tree = await run(["tree", "-b", "5", capture]);
    expect(tree.stdout).toContain("clone3  ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81");
    expect((await run(["tree", "--no-symbols", "-b", "5", capture])).stdout).not.toContain("clone3");
    // libc's parsed index was kept for the next process.
    flushCacheWrites();
    expect(readdirSync(join(scratch, "user-cache"))).toContain(LIBC_INDEX);
  });

  it.skipIf(missing !== null)("ingest keeps the parsed DWARF index in the content folder's cache", async () => {
    const content = join(scratch, "content");
    const { status } = await run(["ingest", "--content", content, "--jobs", "1", capture]);
    expect(status).toBe(0);
    flushCacheWrites();
    expect(existsSync(join(content, ".cache", "symbols", LIBC_INDEX))).toBe(true);
  });

  it("an image missing here is reported once, its frames dropped", async () => {
    const { status, stderr } = await run(["flamegraph", `${DETAILED_DIR}/v13_native.bin`]);
    expect(status).toBe(0);
    const lines = stderr.split("\n").filter((l) => l.includes("_test_utils"));
    expect(lines).toEqual([
      "heaptrail: native frames in /home/dev/.venvs/memray-1.20/lib/python3.11/site-packages/memray/_test_utils.cpython-311-x86_64-linux-gnu.so dropped: the file is not on this machine",
    ]);
  });

  it("--help documents --no-symbols", async () => {
    for (const command of ["flamegraph", "tree", "build", "stats"]) {
      expect((await run([command, "--help"])).stdout).toContain("--no-symbols");
    }
  });
});
