/**
 * Builds the fixture site once for the whole e2e run: the repository's demo history
 * (captures/: two benchmarks over ten commits of main and two of a pull request, with a
 * --native and an --aggregate run), a two-thread capture written for the thread filter and the
 * temporal range, a hostile capture, a killed capture, a broken file and a small pytest-memray
 * suite. Serves it on 127.0.0.1, port 0.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildContent } from "../../src/content/ingest.ts";
import { readLedger, removeRunData, writeEntry } from "../../src/content/ledger.ts";
import { prunedEntry } from "../../src/content/retention.ts";
import { runAstroBuild } from "../../src/cli/build-site.ts";
import { CaptureWriter, hostileCapture, smallCapture } from "../helpers/capture-writer.ts";
import { writeSuiteCaptures } from "../helpers/suite-captures.ts";
import { serveStatic, type StaticServer } from "./server.ts";

// The repository's own demo captures (a fresh clone has nothing beside it).
const DEMO = join(import.meta.dirname, "..", "..", "captures");
const DEMO_FILE = /^(import_orders|render_report)--.*\.(bin|meta\.json)$/;

declare module "vitest" {
  export interface ProvidedContext {
    siteUrl: string;
    siteDir: string;
    /** Capture file stem (e.g. "threads") → its run's page path ("/runs/<id>/"): ids are derived from the capture and its metadata. */
    runPaths: Record<string, string>;
  }
}

/** Two threads, an import, memory rising then falling, so ranges pick different peaks. */
function threadsCapture(): Uint8Array {
  const w = new CaptureWriter({ commandLine: "python threads.py", endTimeMs: Date.UTC(2026, 10, 22, 12, 0, 2) });
  w.codeObject(1, "main", "threads.py", 1);
  w.codeObject(2, "load_early", "threads.py", 10);
  w.codeObject(3, "load_late", "threads.py", 20);
  w.codeObject(4, "worker_loop", "threads.py", 30);
  w.codeObject(5, "_find_and_load", "<frozen importlib._bootstrap>", 1007);
  w.codeObject(6, "<module>", "/usr/lib/python3.11/json/__init__.py", 1);
  w.memory(5_000_000, 0);
  // An import at start-up: import-system frames with an ordinary frame inside.
  w.contextSwitch(1).push(1).push(5).push(6);
  w.allocation(0x50000, 500_000);
  w.pop(2).push(2);
  w.allocation(0x100000, 3_000_000);
  w.memory(9_000_000, 100);
  w.contextSwitch(2).threadName("worker").push(4);
  w.allocation(0x900000, 1_000_000);
  w.memory(10_000_000, 200);
  w.contextSwitch(1).free(0x100000).pop(1).push(3);
  w.memory(7_000_000, 300);
  w.allocation(0x500000, 2_000_000);
  w.memory(8_000_000, 400);
  w.allocation(0x600000, 10_000);
  w.memory(8_000_000, 500);
  return w.trailer().bytes();
}

/** Prune one Python run (benchmark + commit prefix) as retention does: summary and top call sites only. */
function pruneRun(contentDir: string, benchmark: string, commitPrefix: string): void {
  const run = readLedger(contentDir).find(
    (e) => e.status === "ok" && e.benchmark === benchmark && e.commit?.startsWith(commitPrefix) && !e.header.nativeTraces && !e.header.aggregated,
  );
  if (run?.status !== "ok") throw new Error(`no run of ${benchmark} at ${commitPrefix}`);
  writeEntry(contentDir, prunedEntry(run));
  removeRunData(contentDir, run.id);
}

/**
 * A small pytest-memray suite at two commits (18 tests in 3 files, some parametrized, every sixth
 * regressing), named as pytest-memray names them; the first test's newest run has a 1 kB budget.
 */
export const SUITE = { tests: 18, files: 3, regressEvery: 6 };
function writeSuite(captures: string): void {
  for (const commit of [0, 1]) {
    const paths = writeSuiteCaptures(SUITE, commit, captures, `suite${commit}`);
    paths.forEach((path, i) => {
      const meta = {
        commit: String(commit + 1).repeat(40),
        branch: "main",
        timestamp: new Date(Date.UTC(2026, 10, 20 + commit, 9)).toISOString(),
        message: `Suite commit ${commit + 1}`,
        ...(commit === 1 && i === 0 ? { budget: 1000 } : {}),
      };
      writeFileSync(path.replace(/\.bin$/, ".meta.json"), JSON.stringify(meta));
    });
  }
}

let server: StaticServer | null = null;
let root = "";

export async function setup(project: TestProject): Promise<void> {
  root = mkdtempSync(join(tmpdir(), "heaptrail-e2e-"));
  const captures = join(root, "captures");
  mkdirSync(captures);
  for (const f of readdirSync(DEMO)) if (DEMO_FILE.test(f) || f.endsWith(".py")) copyFileSync(join(DEMO, f), join(captures, f));
  writeFileSync(join(captures, "threads.bin"), threadsCapture());
  writeFileSync(join(captures, "threads.meta.json"), JSON.stringify({ benchmark: "threads", branch: "main" }));
  writeFileSync(join(captures, "hostile.bin"), hostileCapture().lz4());
  writeFileSync(join(captures, "broken.bin"), "this is not a memray capture");
  // A process killed mid-run: no TRAILER at the end.
  writeFileSync(join(captures, "killed.bin"), smallCapture({ program: "killed.py", killed: true }));
  writeSuite(captures);
  const contentDir = join(root, "content");
  const result = await buildContent({ capturesDir: captures, contentDir, env: {}, cwd: captures });
  const failed = result.runs.filter((r) => r.outcome === "failed").map((r) => r.fileName);
  if (failed.join() !== "broken.bin") throw new Error(`unexpected failures: ${JSON.stringify(result.runs)}`);
  // The oldest main run of import_orders as retention leaves it: summary and call sites only.
  pruneRun(contentDir, "import_orders", "e57d93b");
  // A first screen of 12 runs a commit: the suite's commits (18 tests) load the rest from their JSON; the demo's (2-4) fit.
  process.env.HEAPTRAIL_COMMIT_ROWS = "12";
  try {
    await runAstroBuild({ contentDir, outDir: join(root, "dist"), base: "/" });
  } finally {
    delete process.env.HEAPTRAIL_COMMIT_ROWS;
  }
  server = await serveStatic(join(root, "dist"));
  project.provide("siteUrl", server.url);
  project.provide("siteDir", join(root, "dist"));
  project.provide("runPaths", Object.fromEntries(result.runs.map((r) => [r.fileName.replace(/\.bin$/, ""), `/runs/${r.runId}/`])));
}

export async function teardown(): Promise<void> {
  await server?.close();
  if (root && !process.env.HEAPTRAIL_KEEP_E2E) rmSync(root, { recursive: true, force: true });
}
