/**
 * Defects found in hostile and broken captures, one regression each, every input made by the test capture writer: a
 * one-line error naming file and offset, or a flagged partial result, within seconds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectCapture } from "../../src/analysis/collect.ts";
import { groupAt } from "../../src/analysis/snapshots.ts";
import { pythonDatetime } from "../../src/cli/stats.ts";
import { buildContent } from "../../src/content/ingest.ts";
import { publicMessage } from "../../src/content/ingest-job.ts";
import { capEntryText, capText } from "../../src/content/display.ts";
import { CaptureError, readCaptureBytes, readCaptureFile } from "../../src/reader/index.ts";
import { MAX_STACK_DEPTH } from "../../src/reader/tables.ts";
import { formatMinute, formatTime } from "../../src/shared/format.ts";
import { aggregatedCapture, CaptureWriter, hostileCapture } from "../helpers/capture-writer.ts";
import { runCli } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const cli = (...argv: string[]) => runCli(argv);

function captureError(read: () => unknown): CaptureError {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    return e as CaptureError;
  }
  throw new Error("expected a CaptureError");
}

describe("1: a header time outside the Date range", () => {
  const path = file("time.bin", new CaptureWriter({ startTimeMs: 2 ** 62 }).contextSwitch(1).allocation(0x1000, 64).trailer().bytes());

  it("stats --json gives null for the time and warns", async () => {
    const { status, out, err } = await cli("stats", "--json", path);
    expect(status).toBe(0);
    expect(JSON.parse(out).metadata.start_time).toBeNull();
    expect(err).toMatch(/time.bin: the header.s start time \(\d+ ms since 1970\) is not a valid date/);
  });

  it("the site's formatters never throw", () => {
    expect(formatTime(2 ** 62)).toBe(`invalid time (${2 ** 62} ms)`);
    expect(formatMinute(-(2 ** 62))).toBe("invalid date");
    expect(formatMinute(Date.UTC(2026, 0, 2, 3, 4))).toBe("2026-01-02 03:04");
    expect(pythonDatetime(Number.NaN)).toBeNull();
  });
});

describe("2: a varint longer than 64 bits", () => {
  // 14 × 0xff then 0x7f as an ALLOCATION's address delta.
  const w = new CaptureWriter().contextSwitch(1).allocation(0x1000, 64);
  const at = w.bytes().length + 1;
  const bytes = w.raw([0x80 | (15 << 3) | 6, ...new Array(14).fill(0xff), 0x7f, 0x10]).trailer().bytes();

  it("is a CaptureError with its offset", () => {
    const e = captureError(() => readCaptureBytes(bytes));
    expect(e.offset).toBe(at);
    expect(e.message).toMatch(/varint longer than 64 bits/);
  });

  it("is the same CaptureError, with the file, from the worker thread", () => {
    const path = file("varint.bin", bytes);
    const e = captureError(() => readCaptureFile(path, {}, { parallelFromBytes: 0 }));
    expect(e.offset).toBe(at);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/varint longer than 64 bits \(still continued after 10 bytes\) \(at byte \d+\)$/);
  });

  it("every command says so in one line and exits 1", async () => {
    const path = file("varint-cli.bin", bytes);
    for (const command of ["stats", "flamegraph", "tree"]) {
      const { status, err } = await cli(command, path);
      expect(status).toBe(1);
      expect(err.trim().split("\n")).toHaveLength(1);
      expect(err).toContain(`${path}: a varint longer than 64 bits`);
    }
  });
});

describe("3: native ids of 2^31 and more", () => {
  it("records with one such id share one location, quickly", () => {
    for (const id of [2 ** 31 + 5, 2 ** 32 + 7, 2 ** 53 - 1]) {
      const w = new CaptureWriter({ nativeTraces: true }).contextSwitch(1);
      for (let i = 0; i < 20_000; i++) w.allocation(0x10000 + i * 64, 32, 6, i === 0 ? id : 0);
      const path = file(`native-${id}.bin`, w.trailer().bytes());
      const t0 = performance.now();
      const capture = collectCapture(path);
      expect(performance.now() - t0).toBeLessThan(5000);
      const groups = capture.snapshots!.highWaterMark;
      expect(groups.length).toBe(1);
      expect(groupAt(groups, 0).nativeId).toBe(id);
      expect(groupAt(groups, 0).nAllocations).toBe(20_000);
    }
  });
});

describe("4: an aggregated FRAME record with a huge id", () => {
  it("is a CaptureError, not a dense table sized by the id", () => {
    for (const id of [2 ** 28, 2 ** 40]) {
      const w = aggregatedCapture();
      const at = w.bytes().length;
      const bytes = w.frame(id, 1).trailer().bytes();
      const before = process.memoryUsage().rss;
      const e = captureError(() => readCaptureBytes(bytes));
      expect(e.offset).toBe(at);
      expect(e.message).toMatch(new RegExp(`PYTHON_FRAME_INDEX with frame id ${id}, expected 2`));
      expect(process.memoryUsage().rss - before).toBeLessThan(100 << 20);
    }
  });

  it("a well-formed aggregated capture still reads", () => {
    const read = readCaptureBytes(aggregatedCapture().trailer().bytes());
    expect(read.summary.complete).toBe(true);
    expect(read.tables.pythonStack(2, 2).map((f) => f.function)).toEqual(["work", "main"]);
  });
});

describe("5: aggregated stack cycles and over-deep chains", () => {
  it("a parent that is not a node yet (a cycle) is a CaptureError", () => {
    const w = aggregatedCapture(); // nodes 0, 1, 2
    const at = w.bytes().length;
    const bytes = w.stack(0, 4).stack(1, 3).location({ stackId: 4 }).trailer().bytes();
    const e = captureError(() => readCaptureBytes(bytes));
    expect(e.offset).toBe(at);
    expect(e.message).toMatch(/PYTHON_TRACE_INDEX with parent 4, but only nodes 0 to 2 exist yet/);
  });

  it("a chain deeper than MAX_STACK_DEPTH is a CaptureError", () => {
    const w = aggregatedCapture();
    for (let node = 2; node <= MAX_STACK_DEPTH + 2; node++) w.stack(1, node);
    const path = file("deep-aggregated.bin", w.location({ stackId: 3 }).trailer().bytes());
    const { code, err } = { ...captureErrorOf(path) };
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`deeper than ${MAX_STACK_DEPTH} frames`));
  });

  it("an all-allocations stack deeper than MAX_STACK_DEPTH stops reading, flagged", () => {
    const w = new CaptureWriter().codeObject(1, "f", "f.py", 1).contextSwitch(1).push(1).allocation(0x1000, 8);
    for (let i = 0; i < MAX_STACK_DEPTH + 10; i++) w.push(1);
    const read = readCaptureBytes(w.allocation(0x2000, 8).trailer().bytes());
    expect(read.summary.complete).toBe(false);
    expect(read.summary.warning).toMatch(new RegExp(`a Python stack deeper than ${MAX_STACK_DEPTH} frames at byte \\d+`));
    expect(read.summary.nAllocationRecords).toBe(1);
  });
});

function captureErrorOf(path: string): { code: number; err: string } {
  try {
    readCaptureFile(path);
    return { code: 0, err: "" };
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    return { code: 1, err: (e as Error).message };
  }
}

describe("6: a cut capture", () => {
  const good = hostileCapture().bytes();
  const cut = file("cut.bin", good.subarray(0, good.length - 5));

  it("every command warns on stderr with the file and the byte where data stopped", async () => {
    for (const argv of [["stats", "--json"], ["stats"], ["flamegraph"], ["tree"]]) {
      const { status, out, err } = await cli(...argv, cut);
      expect(status).toBe(0);
      expect(out.length).toBeGreaterThan(0);
      expect(err).toMatch(new RegExp(`^warning: ${cut.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: incomplete capture \\(data stops at byte \\d+\\)`));
    }
  });

  it("--strict makes it an error", async () => {
    for (const command of ["stats", "flamegraph", "tree"]) {
      const { status, out, err } = await cli(command, "--strict", cut);
      expect(status).toBe(1);
      expect(out).toBe("");
      expect(err).toMatch(/incomplete capture \(data stops at byte \d+\).*\(--strict\)/);
    }
    expect((await cli("stats", "--strict", file("whole.bin", good))).status).toBe(0);
  });
});

describe("10: metadata sizes", () => {
  it("every text field reaches the pages capped, saying it was cut", () => {
    const huge = "x".repeat(10_000_000);
    const entry = { status: "failed", error: huge, meta: { message: huge, branch: huge, commit: "abc" } };
    const shown = capEntryText(entry) as typeof entry;
    expect(shown.meta.message.length).toBeLessThan(1100);
    expect(shown.meta.message).toMatch(/^x{1000}… \[cut: 1,000 of 10,000,000 characters shown\]$/);
    expect(shown.meta.branch).toMatch(/^x{200}… \[cut/);
    expect(shown.error.length).toBeLessThan(1100);
    expect(shown.meta.commit).toBe("abc");
    expect(entry.meta.message.length).toBe(10_000_000); // the entry itself keeps the full text
    expect(capText("short", 200)).toBe("short");
  });
});

describe("11: failed runs do not publish the builder's paths", () => {
  it("error messages name captures relative to the captures folder", async () => {
    const captures = join(dir, "site", "captures");
    const content = join(dir, "site", "content");
    mkdirSync(captures, { recursive: true });
    writeFileSync(join(captures, "broken.bin"), Uint8Array.from([0x6d, 0x65, 0x6d, 0x72, 0x61, 0x79, 0, 99, 0, 0, 0]));
    const result = await buildContent({ capturesDir: captures, contentDir: content, env: {}, cwd: captures });
    expect(result.runs[0]!.outcome).toBe("failed");
    const entry = readFileSync(join(content, "runs", `${result.runs[0]!.runId}.json`), "utf8");
    expect(entry).toContain("broken.bin: unsupported memray header version 99");
    expect(entry).not.toContain(dir);
    expect(publicMessage(`${captures}/a/b.bin: bad`, captures)).toBe("a/b.bin: bad");
  });
});
