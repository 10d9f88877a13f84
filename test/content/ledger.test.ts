/**
 * The ledger: runs outlive their captures, re-ingest is byte-identical, ids never collide,
 * retention keeps every entry, ledgers merge by copying.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import type { RunAnalysis } from "../../src/analysis/model.ts";
import { buildContent, ingestCaptures, type IngestOptions } from "../../src/content/ingest.ts";
import { applyRetention, listRuns, removeRuns } from "../../src/content/retention.ts";
import { runEntrySchema, type OkRunEntry } from "../../src/content/schema.ts";
import { CaptureWriter } from "../helpers/capture-writer.ts";

const REPO = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "heaptrail-ledger-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small capture; `seed` changes its bytes (start time and sizes). */
function tinyCapture(seed: number): Uint8Array {
  const start = Date.UTC(2026, 10, 1) + seed * 60_000;
  const w = new CaptureWriter({ commandLine: "python bench.py", startTimeMs: start, endTimeMs: start + 1000 });
  w.codeObject(1, "main", "bench.py", 1).codeObject(2, "load", "bench.py", 10).codeObject(3, "parse", "bench.py", 20);
  w.contextSwitch(1).push(1).push(2);
  w.allocation(0x1000, 1_000_000 + seed * 1000);
  w.pop(1).push(3);
  w.allocation(0x2000, 500_000);
  w.memory(5_000_000, 10);
  return w.trailer().bytes();
}

/** Analyses memoized by capture file content (the same capture is analysed once per test run). */
const memo = new Map<string, RunAnalysis>();
const analyze = (path: string): RunAnalysis => {
  const key = createHash("sha256").update(readFileSync(path)).digest("hex");
  if (!memo.has(key)) memo.set(key, analyzeCapture(path));
  return memo.get(key)!;
};

/** No CI, no git: what tests control. */
const QUIET: IngestOptions = { env: {}, git: false, noSource: true, analyze };

let n = 0;
function folder(name: string): string {
  const path = join(dir, `${name}-${n++}`);
  mkdirSync(path, { recursive: true });
  return path;
}

function writeCapture(where: string, name: string, seed: number, meta?: object): string {
  const path = join(where, name);
  writeFileSync(path, tinyCapture(seed));
  if (meta) writeFileSync(path.replace(/\.bin$/, ".meta.json"), JSON.stringify(meta));
  return path;
}

/** Every file under `root`, relative path → sha256 (the .astro cache aside). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (f === ".astro-cache") continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

function entry(contentDir: string, id: string): OkRunEntry {
  return runEntrySchema.parse(JSON.parse(readFileSync(join(contentDir, "runs", `${id}.json`), "utf8"))) as OkRunEntry;
}

describe("ingest", () => {
  test("the demo captures: entries with resolved fields and top call sites; the captures can go", async () => {
    const captures = folder("captures");
    const content = folder("content");
    for (const name of ["import_orders--5e38e97", "import_orders--6327f5a", "examples--threads"]) {
      copyFileSync(join(REPO, "captures", `${name}.bin`), join(captures, `${name}.bin`));
      copyFileSync(join(REPO, "captures", `${name}.meta.json`), join(captures, `${name}.meta.json`));
    }
    // Through the real worker pool (no injected analysis), as `heaptrail build` runs it.
    const first = await buildContent({ capturesDir: captures, contentDir: content, env: {}, cwd: captures, jobs: 2 });
    expect(first.runs.map((r) => r.outcome)).toEqual(["written", "written", "written"]);
    const run = entry(content, first.runs.find((r) => r.fileName === "import_orders--5e38e97.bin")!.runId);
    expect(run).toMatchObject({
      benchmark: "import_orders",
      branch: "feature/streaming-import",
      commit: "5e38e97a6b4c97685d72367cf8900c871b380ff9",
      timeMs: Date.parse("2026-11-20T15:10:00+00:00"),
      dataPruned: false,
    });
    expect(run.id).toMatch(/^import_orders-5e38e97-[0-9a-f]{8}$/);
    expect(run.topCallSites.length).toBeGreaterThan(0);
    expect(run.topCallSites[0]!.sizeBytes).toBeGreaterThan(0);
    const before = snapshot(content);

    rmSync(captures, { recursive: true });
    mkdirSync(captures);
    const second = await buildContent({ capturesDir: captures, contentDir: content, env: {}, cwd: captures });
    expect(second.runs).toEqual([]);
    // Every run stays, byte for byte, though its capture is gone.
    expect(snapshot(content)).toEqual(before);
    expect(listRuns(content).map((r) => r.id).sort()).toEqual(first.runs.map((r) => r.runId).sort());
  });

  test("re-ingesting the same captures under the same metadata changes nothing, byte for byte", async () => {
    const captures = folder("captures");
    const paths = [writeCapture(captures, "a.bin", 1, { commit: "1".repeat(40), branch: "main" }), writeCapture(captures, "b.bin", 2)];
    const content = folder("content");
    const first = await ingestCaptures(paths, { ...QUIET, contentDir: content });
    expect(first.map((r) => r.outcome)).toEqual(["written", "written"]);
    const before = snapshot(content);
    const again = await ingestCaptures(paths, { ...QUIET, contentDir: content });
    expect(again.map((r) => r.outcome)).toEqual(["unchanged", "unchanged"]);
    const forced = await ingestCaptures(paths, { ...QUIET, contentDir: content, force: true });
    expect(forced.map((r) => r.outcome)).toEqual(["written", "written"]);
    expect(snapshot(content)).toEqual(before);
    // The same capture in another folder, ingested into another ledger, writes the same files.
    const elsewhere = folder("elsewhere");
    const copies = paths.map((p, i) => {
      const to = join(elsewhere, ["a.bin", "b.bin"][i]!);
      copyFileSync(p, to);
      if (existsSync(p.replace(/\.bin$/, ".meta.json"))) copyFileSync(p.replace(/\.bin$/, ".meta.json"), to.replace(/\.bin$/, ".meta.json"));
      return to;
    });
    const other = folder("content");
    await ingestCaptures(copies, { ...QUIET, contentDir: other, cwd: elsewhere });
    expect(snapshot(other)).toEqual(before);
  });

  test("the worker pool writes what analysing on this thread writes", async () => {
    const captures = folder("captures");
    const paths = [60, 61, 62].map((i) => writeCapture(captures, `pool--${i}.bin`, i, { branch: "main" }));
    const pooled = folder("content");
    const inline = folder("content");
    const viaPool = await ingestCaptures(paths, { env: {}, git: false, noSource: true, contentDir: pooled, jobs: 2 });
    const viaThread = await ingestCaptures(paths, { env: {}, git: false, noSource: true, contentDir: inline, jobs: 1 });
    expect(viaPool.map((r) => r.outcome)).toEqual(["written", "written", "written"]);
    expect(viaPool).toEqual(viaThread);
    expect(snapshot(pooled)).toEqual(snapshot(inline));
  });

  test("metadata precedence end to end: --meta over the meta file over CI; the header's start time", async () => {
    const captures = folder("captures");
    const event = join(captures, "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { number: 5, head: { sha: "e".repeat(40) } } }));
    const env = { GITHUB_ACTIONS: "true", GITHUB_SHA: "d".repeat(40), GITHUB_HEAD_REF: "feat", GITHUB_BASE_REF: "main", GITHUB_REPOSITORY: "acme/etl", GITHUB_RUN_ID: "77", GITHUB_EVENT_PATH: event };
    const path = writeCapture(captures, "bench.bin", 3, { message: "from file", branch: "file-branch" });
    const content = folder("content");
    const [result] = await ingestCaptures([path], { ...QUIET, env, contentDir: content, meta: { message: "from flag" } });
    const run = entry(content, result!.runId);
    expect(run.meta).toEqual({
      baseBranch: "main",
      benchmark: "bench",
      branch: "file-branch",
      ciRunUrl: "https://github.com/acme/etl/actions/runs/77",
      commit: "e".repeat(40),
      message: "from flag",
      pr: 5,
      repository: "acme/etl",
    });
    expect(run).toMatchObject({ benchmark: "bench", branch: "file-branch", commit: "e".repeat(40) });
    // No timestamp anywhere: the run's time is the capture's start.
    expect(run.timeMs).toBe(run.header.startTimeMs);
    expect(run.timeMs).toBe(Date.UTC(2026, 10, 1) + 3 * 60_000);
  });

  test("two CI runs that both write bench.bin make two runs", async () => {
    const content = folder("content");
    const ids: string[] = [];
    for (const [seed, runId] of [[4, "1"], [5, "2"]] as const) {
      const captures = folder("ci");
      const env = { GITHUB_ACTIONS: "true", GITHUB_SHA: "f".repeat(40), GITHUB_REF_NAME: "main", GITHUB_REPOSITORY: "acme/etl", GITHUB_RUN_ID: runId };
      const [r] = await ingestCaptures([writeCapture(captures, "bench.bin", seed)], { ...QUIET, env, contentDir: content });
      ids.push(r!.runId);
    }
    // The same capture bytes re-run in a second workflow run is a second run too.
    const captures = folder("ci");
    const [r] = await ingestCaptures([writeCapture(captures, "bench.bin", 5)], {
      ...QUIET,
      env: { GITHUB_ACTIONS: "true", GITHUB_SHA: "f".repeat(40), GITHUB_REF_NAME: "main", GITHUB_REPOSITORY: "acme/etl", GITHUB_RUN_ID: "3" },
      contentDir: content,
    });
    ids.push(r!.runId);
    expect(new Set(ids).size).toBe(3);
    expect(listRuns(content).map((x) => x.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(id).toMatch(/^bench-fffffff-[0-9a-f]{8}$/);
  });
});

describe("build's captures/ scan", () => {
  test("git names a capture's commit once: a later commit in the working directory does not make it a new run", async () => {
    const repo = folder("repo");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    const commit = (message: string) => git("-c", "user.name=Ada", "-c", "user.email=a@example.org", "commit", "-q", "--allow-empty", "-m", message);
    commit("First");
    const head = git("rev-parse", "HEAD");
    const captures = join(repo, "captures");
    mkdirSync(captures);
    writeCapture(captures, "bench.bin", 50);
    const content = join(repo, "content");
    const options = { capturesDir: captures, contentDir: content, env: {}, cwd: repo, analyze, noSource: true };
    const [first] = (await buildContent(options)).runs;
    expect(entry(content, first!.runId)).toMatchObject({ commit: head, branch: "main", meta: { author: "Ada", message: "First" } });
    commit("Second");
    const [again] = (await buildContent(options)).runs;
    expect(again).toEqual({ ...first, outcome: "unchanged" });
    // Its meta file still overrides what was recorded; the corrected run replaces the old one.
    writeFileSync(join(captures, "bench.meta.json"), JSON.stringify({ benchmark: "renamed" }));
    const [renamed] = (await buildContent(options)).runs;
    expect(renamed!.runId).not.toBe(first!.runId);
    expect(listRuns(content).map((r) => [r.benchmark, r.id])).toEqual([["renamed", renamed!.runId]]);
    expect(entry(content, renamed!.runId).commit).toBe(head);
  });
});

describe("retention", () => {
  test("older runs lose their data, keep their entry and trend fields; pinned runs stay full", async () => {
    const captures = folder("captures");
    const paths = [1, 2, 3, 4].map((i) =>
      writeCapture(captures, `bench--${i}.bin`, 10 + i, { branch: "main", commit: String(i).repeat(40), timestamp: `2026-11-0${i}T00:00:00Z`, keep: i === 1 }),
    );
    const content = folder("content");
    const runs = await ingestCaptures(paths, { ...QUIET, contentDir: content });
    const full = runs.map((r) => entry(content, r.runId));
    const { pruned } = applyRetention(content, 2);
    // Newest two (4, 3) keep their data; 1 is pinned; 2 is pruned.
    expect(pruned).toEqual([runs[1]!.runId]);
    const after = entry(content, runs[1]!.runId);
    expect(after.dataPruned).toBe(true);
    expect(Object.values(after.data).every((ref) => ref === null)).toBe(true);
    expect(existsSync(join(content, "public", "data", after.id))).toBe(false);
    const { data: _d, dataPruned: _p, ...summary } = after;
    const { data: _d2, dataPruned: _p2, ...fullSummary } = full[1]!;
    expect(summary).toEqual(fullSummary);
    expect(after.topCallSites.length).toBeGreaterThan(0);
    for (const i of [0, 2, 3]) expect(entry(content, runs[i]!.runId).dataPruned).toBe(false);
    // Retention is idempotent and re-ingest leaves a pruned run pruned.
    expect(applyRetention(content, 2).pruned).toEqual([]);
    const before = snapshot(content);
    await ingestCaptures(paths, { ...QUIET, contentDir: content });
    expect(snapshot(content)).toEqual(before);
  });

  test("removing runs is a command: by id or by benchmark", async () => {
    const captures = folder("captures");
    const content = folder("content");
    const runs = await ingestCaptures(
      [writeCapture(captures, "x--1.bin", 21), writeCapture(captures, "x--2.bin", 22), writeCapture(captures, "y--1.bin", 23)],
      { ...QUIET, contentDir: content },
    );
    expect(removeRuns(content, { ids: [runs[0]!.runId] })).toEqual([runs[0]!.runId]);
    expect(existsSync(join(content, "public", "data", runs[0]!.runId))).toBe(false);
    expect(removeRuns(content, { benchmark: "y" })).toEqual([runs[2]!.runId]);
    expect(listRuns(content).map((r) => r.id)).toEqual([runs[1]!.runId]);
  });
});

describe("ledgers merge by copying", () => {
  test("the union of two ledgers ingested apart is the ledger that ingested both", async () => {
    const captures = folder("captures");
    const meta = (i: number, branch: string) => ({ branch, commit: String(i % 10).repeat(40), timestamp: `2026-11-${String(10 + i).padStart(2, "0")}T00:00:00Z` });
    // Two CI jobs of a matrix: one per benchmark, both on main, one also on a branch.
    const jobA = [1, 2, 3, 4].map((i) => writeCapture(captures, `alpha--${i}.bin`, 30 + i, meta(i, "main")));
    const jobB = [1, 2, 3].map((i) => writeCapture(captures, `beta--${i}.bin`, 40 + i, meta(i, i === 3 ? "topic" : "main")));
    const keepFull = 2;
    const ledgerA = folder("ledger-a");
    const ledgerB = folder("ledger-b");
    await ingestCaptures(jobA, { ...QUIET, contentDir: ledgerA });
    applyRetention(ledgerA, keepFull);
    await ingestCaptures(jobB, { ...QUIET, contentDir: ledgerB });
    applyRetention(ledgerB, keepFull);

    const union = folder("union");
    cpSync(ledgerA, union, { recursive: true });
    cpSync(ledgerB, union, { recursive: true });
    const one = folder("one");
    await ingestCaptures([...jobB, ...jobA], { ...QUIET, contentDir: one });

    const empty = folder("no-captures");
    for (const content of [union, one]) {
      await buildContent({ capturesDir: empty, contentDir: content, keepFull, env: {} });
    }
    expect(snapshot(union)).toEqual(snapshot(one));
    expect(listRuns(one)).toHaveLength(7);
    expect(listRuns(one).filter((r) => r.dataPruned).map((r) => r.fileName).sort()).toEqual(["alpha--1.bin", "alpha--2.bin"]);
  });
});
