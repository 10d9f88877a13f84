/**
 * The fuzzer's child process (see fuzz.ts): runs each capture it is sent through `stats --json`,
 * `flamegraph`, `tree` and the content stage, and answers how it ended. Anything thrown that is
 * not a CaptureError escapes to the parent as a crash; the parent enforces time and memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { analyzeCapture } from "../src/analysis/analyze.ts";
import { main } from "../src/cli/main.ts";
import { writeRun } from "../src/content/write.ts";
import { CaptureError } from "../src/reader/index.ts";

export type Outcome = "result" | "partial" | "capture-error" | "failure";

function sink(add: (s: string) => void): Writable {
  return new Writable({ write: (chunk, _enc, cb) => (add(String(chunk)), cb()) });
}

const OFFSET = /at byte \d+/;

/** One input through every stage: how it ended, and why when it is a failure. */
async function runOne(path: string, contentDir: string): Promise<{ outcome: Outcome; detail: string }> {
  let warned = false;
  let failedRead = false;
  for (const argv of [["stats", "--json"], ["flamegraph"], ["tree"]]) {
    let err = "";
    const code = await main([...argv, path], sink(() => {}), sink((s) => (err += s)));
    const lines = err.trim() === "" ? [] : err.trim().split("\n");
    if (code === 0) {
      // A warning must name the file; an incomplete capture's must say where data stopped.
      for (const line of lines) {
        if (!line.startsWith(`warning: ${path}: `)) return { outcome: "failure", detail: `${argv[0]}: unexpected stderr: ${line.slice(0, 300)}` };
        if (line.includes("incomplete capture") && !OFFSET.test(line)) return { outcome: "failure", detail: `${argv[0]}: warning without an offset: ${line.slice(0, 300)}` };
      }
      if (lines.length > 0) warned = true;
    } else if (code === 1) {
      if (lines.length !== 1 || !lines[0]!.includes(`cannot read capture: ${path}: `) || !OFFSET.test(lines[0]!)) {
        return { outcome: "failure", detail: `${argv[0]}: exit 1 without a one-line CaptureError naming file and offset: ${err.slice(0, 300)}` };
      }
      failedRead = true;
    } else {
      return { outcome: "failure", detail: `${argv[0]}: exit ${code}: ${err.slice(0, 300)}` };
    }
  }
  // The content stage, as `heaptrail build` runs it.
  try {
    const analysis = analyzeCapture(path);
    if (failedRead) return { outcome: "failure", detail: "the commands failed to read what the content stage read" };
    const entry = writeRun(analysis, { runId: "fuzz", captureHash: "0", meta: {}, contentDir, noSource: true });
    if (!entry.complete && !(entry.readWarning && OFFSET.test(entry.readWarning))) {
      return { outcome: "failure", detail: `incomplete run without an offset: ${entry.readWarning}` };
    }
    return { outcome: warned || !entry.complete ? "partial" : "result", detail: entry.readWarning ?? "" };
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    if (!e.message.includes(path) || !failedRead) return { outcome: "failure", detail: `content stage: ${e.message.slice(0, 300)}` };
    return { outcome: "capture-error", detail: e.message.slice(0, 300) };
  }
}

const contentDir = mkdtempSync(join(tmpdir(), "heaptrail-fuzz-content-"));
process.on("exit", () => rmSync(contentDir, { recursive: true, force: true }));
process.on("message", async (message: { path: string }) => {
  const t0 = performance.now();
  let reply: Record<string, unknown>;
  try {
    reply = { ...(await runOne(message.path, contentDir)) };
  } catch (e) {
    reply = { outcome: "failure", detail: `crash: ${e instanceof Error ? (e.stack ?? e.message).slice(0, 1000) : String(e)}` };
  }
  reply.timeMs = performance.now() - t0;
  reply.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.send!(reply);
});
process.send!({ ready: true });
