/** `heaptrail ingest` and `heaptrail remove` from the command line. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.ts";
import { CaptureWriter } from "../helpers/capture-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-cli-ingest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): NodeJS.WritableStream & { text: () => string } {
  let text = "";
  return { write: (s: string) => ((text += s), true), text: () => text } as never;
}

function capture(seed: number): Uint8Array {
  const w = new CaptureWriter({ startTimeMs: Date.UTC(2026, 10, 3) + seed, endTimeMs: Date.UTC(2026, 10, 3) + seed + 500 });
  w.codeObject(1, "main", "job.py", 1).contextSwitch(1).push(1).allocation(0x10, 2048 + seed).memory(1_000_000, 1);
  return w.trailer().bytes();
}

describe("heaptrail ingest", () => {
  test("--benchmark and --meta name the run; the entry lands in --content; remove takes it out", async () => {
    const content = join(dir, "content");
    const path = join(dir, "0f3c9a4b-tests-test_job.py-test_run.bin");
    writeFileSync(path, capture(1));
    writeFileSync(join(dir, "0f3c9a4b-tests-test_job.py-test_run.meta.json"), JSON.stringify({ branch: "from-file", message: "file" }));
    const out = sink();
    const status = await main(["ingest", path, "--content", content, "--meta", "branch=main", "--meta", "pr=12", "--meta", `commit=${"9".repeat(40)}`, "--jobs", "1", "--no-source"], out, sink());
    expect(status).toBe(0);
    expect(out.text()).toMatch(/^written +tests_test_job\.py_test_run-[0-9a-f]{8}-9999999-[0-9a-f]{8} {2}0f3c9a4b-tests-test_job\.py-test_run\.bin$/m);
    const [file] = readdirSync(join(content, "runs"));
    const entry = JSON.parse(readFileSync(join(content, "runs", file!), "utf8"));
    // The pytest-memray name gives the test id; --meta beats the meta file.
    expect(entry).toMatchObject({ benchmark: "tests/test_job.py::test_run", branch: "main", meta: { pr: 12, message: "file" } });

    const again = sink();
    expect(await main(["ingest", path, "--content", content, "--meta", "branch=main", "--meta", "pr=12", "--meta", `commit=${"9".repeat(40)}`, "--no-source"], again, sink())).toBe(0);
    expect(again.text()).toMatch(/^unchanged /m);

    const removed = sink();
    expect(await main(["remove", "--benchmark", "tests/test_job.py::test_run", "--content", content], removed, sink())).toBe(0);
    expect(removed.text()).toContain(`removed ${entry.id}`);
    expect(readdirSync(join(content, "runs"))).toEqual([]);
    expect(await main(["remove", entry.id, "--content", content], sink(), sink())).toBe(1);
  });

  test("a capture that cannot be read gets a failed entry and exit 1; misuse exits 2", async () => {
    const content = join(dir, "content-bad");
    const bad = join(dir, "broken.bin");
    writeFileSync(bad, "not a capture");
    const out = sink();
    expect(await main(["ingest", bad, "--content", content], out, sink())).toBe(1);
    // Git in the working directory (this repository) may name the commit.
    expect(out.text()).toMatch(/^failed +broken-(?:[0-9a-f]{7}-)?[0-9a-f]{8} {2}broken\.bin: /m);
    // The entry names the capture, never its path on this machine.
    const [file] = readdirSync(join(content, "runs"));
    const entry = JSON.parse(readFileSync(join(content, "runs", file!), "utf8"));
    expect(entry.error).toMatch(/^broken\.bin: does not look like a memray capture/);
    expect(JSON.stringify(entry)).not.toContain(dir);
    const err = sink();
    expect(await main(["ingest", bad, "--meta", "colour=red"], sink(), err)).toBe(2);
    expect(err.text()).toContain('unknown key "colour"');
    expect(await main(["ingest", "--content", content], sink(), sink())).toBe(2);
    expect(await main(["ingest", bad, "--keep-full", "-1"], sink(), sink())).toBe(2);
  });
});
