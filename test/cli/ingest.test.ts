/** `heaptrail ingest` and `heaptrail remove` from the command line. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.ts";
import { CaptureWriter } from "../helpers/capture-writer.ts";
import { TextSink } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-cli-ingest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    const out = new TextSink();
    const status = await main(["ingest", path, "--content", content, "--meta", "branch=main", "--meta", "pr=12", "--meta", `commit=${"9".repeat(40)}`, "--jobs", "1", "--no-source"], out, new TextSink());
    expect(status).toBe(0);
    expect(out.text).toMatch(/^written +tests_test_job\.py_test_run-[0-9a-f]{8}-9999999-[0-9a-f]{8} {2}0f3c9a4b-tests-test_job\.py-test_run\.bin$/m);
    const [file] = readdirSync(join(content, "runs"));
    const entry = JSON.parse(readFileSync(join(content, "runs", file!), "utf8"));
    // The pytest-memray name gives the test id; --meta beats the meta file.
    expect(entry).toMatchObject({ benchmark: "tests/test_job.py::test_run", branch: "main", meta: { pr: 12, message: "file" } });

    const again = new TextSink();
    expect(await main(["ingest", path, "--content", content, "--meta", "branch=main", "--meta", "pr=12", "--meta", `commit=${"9".repeat(40)}`, "--no-source"], again, new TextSink())).toBe(0);
    expect(again.text).toMatch(/^unchanged /m);

    const removed = new TextSink();
    expect(await main(["remove", "--benchmark", "tests/test_job.py::test_run", "--content", content], removed, new TextSink())).toBe(0);
    expect(removed.text).toContain(`removed ${entry.id}`);
    expect(readdirSync(join(content, "runs"))).toEqual([]);
    expect(await main(["remove", entry.id, "--content", content], new TextSink(), new TextSink())).toBe(1);
  });

  test("a capture that cannot be read gets a failed entry and exit 1; misuse exits 2", async () => {
    const content = join(dir, "content-bad");
    const bad = join(dir, "broken.bin");
    writeFileSync(bad, "not a capture");
    const out = new TextSink();
    expect(await main(["ingest", bad, "--content", content], out, new TextSink())).toBe(1);
    // Git in the working directory (this repository) may name the commit.
    expect(out.text).toMatch(/^failed +broken-(?:[0-9a-f]{7}-)?[0-9a-f]{8} {2}broken\.bin: /m);
    // The entry names the capture, never its path on this machine.
    const [file] = readdirSync(join(content, "runs"));
    const entry = JSON.parse(readFileSync(join(content, "runs", file!), "utf8"));
    expect(entry.error).toMatch(/^broken\.bin: does not look like a memray capture/);
    expect(JSON.stringify(entry)).not.toContain(dir);
    const err = new TextSink();
    expect(await main(["ingest", bad, "--meta", "colour=red"], new TextSink(), err)).toBe(2);
    expect(err.text).toContain('unknown key "colour"');
    expect(await main(["ingest", "--content", content], new TextSink(), new TextSink())).toBe(2);
    expect(await main(["ingest", bad, "--keep-full", "-1"], new TextSink(), new TextSink())).toBe(2);
  });
});
