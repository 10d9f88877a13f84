// The commands symbolize native captures by default; --no-symbols keeps Python frames only; an
// image missing on this machine is reported once.
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
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
