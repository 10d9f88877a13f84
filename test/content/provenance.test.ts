/** Provenance: metadata precedence, GitHub Actions, git, pytest-memray names, run ids. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { topCallSites } from "../../src/analysis/call-sites.ts";
import { flameColumns } from "../../src/analysis/flame.ts";
import { TreeFlag, type FlameNode } from "../../src/analysis/model.ts";
import {
  benchmarkFromFileName,
  canonicalMeta,
  gitInfo,
  githubActionsMeta,
  parseMetaFlag,
  resolveMeta,
  runIdFor,
} from "../../src/content/provenance.ts";
import { fixtureAnalysis } from "./fixture-analysis.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-provenance-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);
const git = { commit: SHA_A, timestamp: "2026-11-01T10:00:00+00:00", message: "git subject", author: "Git Author", branch: "topic" };

describe("resolveMeta: flags, then the meta file, then CI, then git", () => {
  test("each field comes from the highest source that has it", () => {
    const meta = resolveMeta({
      flags: { message: "from flags" },
      file: { message: "from file", branch: "file-branch", pr: 7 },
      ci: { branch: "ci-branch", commit: SHA_A, repository: "acme/etl", pr: 9 },
      git,
      fileName: "bench.bin",
    });
    expect(meta).toEqual({
      author: "Git Author",
      benchmark: "bench",
      branch: "file-branch",
      commit: SHA_A,
      message: "from flags",
      pr: 7,
      repository: "acme/etl",
      timestamp: "2026-11-01T10:00:00+00:00",
    });
    // Canonical: keys sorted, so the stored entry and the run id do not depend on source order.
    expect(Object.keys(meta)).toEqual([...Object.keys(meta)].sort());
  });

  test("git describes its HEAD only: nothing from git when a higher source names another commit", () => {
    const meta = resolveMeta({ file: { commit: SHA_B }, git, fileName: "bench.bin" });
    expect(meta).toEqual({ benchmark: "bench", commit: SHA_B });
    // A short sha of HEAD is HEAD.
    expect(resolveMeta({ flags: { commit: SHA_A.slice(0, 7) }, git, fileName: "b.bin" }).author).toBe("Git Author");
  });

  test("the benchmark: --benchmark, then the meta file, then the file name", () => {
    expect(resolveMeta({ benchmark: "flag", file: { benchmark: "file" }, fileName: "name--x.bin" }).benchmark).toBe("flag");
    expect(resolveMeta({ file: { benchmark: "file" }, fileName: "name--x.bin" }).benchmark).toBe("file");
    expect(resolveMeta({ fileName: "name--x.bin" }).benchmark).toBe("name");
  });

  test("--meta KEY=VALUE parses pr and keep, and rejects unknown keys", () => {
    expect(parseMetaFlag("pr=42")).toEqual({ pr: 42 });
    expect(parseMetaFlag("keep=true")).toEqual({ keep: true });
    expect(parseMetaFlag("message=a=b")).toEqual({ message: "a=b" });
    expect(() => parseMetaFlag("colour=red")).toThrow(/unknown key "colour"/);
    expect(() => parseMetaFlag("keep=maybe")).toThrow(/keep takes true or false/);
  });
});

describe("githubActionsMeta", () => {
  const base = {
    GITHUB_ACTIONS: "true",
    GITHUB_SHA: "c".repeat(40),
    GITHUB_REPOSITORY: "acme/etl",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "123456",
  };

  test("a pull_request event: the PR's head commit and branch, its number, the base branch, the run link", () => {
    const event = join(dir, "pr-event.json");
    writeFileSync(event, JSON.stringify({ number: 42, pull_request: { number: 42, head: { sha: SHA_B } } }));
    const meta = githubActionsMeta({ ...base, GITHUB_EVENT_PATH: event, GITHUB_REF_NAME: "42/merge", GITHUB_HEAD_REF: "feature/x", GITHUB_BASE_REF: "main" });
    expect(meta).toEqual({
      baseBranch: "main",
      branch: "feature/x",
      ciRunUrl: "https://github.com/acme/etl/actions/runs/123456",
      commit: SHA_B,
      pr: 42,
      repository: "acme/etl",
    });
  });

  test("a push event: GITHUB_SHA, the ref name, the head commit's message, author and time", () => {
    const event = join(dir, "push-event.json");
    writeFileSync(event, JSON.stringify({ head_commit: { message: "Speed up", timestamp: "2026-11-02T09:00:00Z", author: { name: "Ada" } } }));
    const meta = githubActionsMeta({ ...base, GITHUB_EVENT_PATH: event, GITHUB_REF_NAME: "main", GITHUB_HEAD_REF: "", GITHUB_BASE_REF: "" });
    expect(meta).toMatchObject({ commit: "c".repeat(40), branch: "main", message: "Speed up", author: "Ada", timestamp: "2026-11-02T09:00:00Z" });
    expect(meta.pr).toBeUndefined();
    expect(meta.baseBranch).toBeUndefined();
  });

  test("outside Actions, nothing; a missing event file still gives the environment's fields", () => {
    expect(githubActionsMeta({ GITHUB_SHA: SHA_A })).toEqual({});
    expect(githubActionsMeta({ ...base, GITHUB_EVENT_PATH: join(dir, "missing.json") }).commit).toBe("c".repeat(40));
  });
});

describe("gitInfo", () => {
  test("HEAD's commit, author date, subject, author and branch; null outside a repository", () => {
    const repo = join(dir, "repo");
    const run = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: repo,
        env: { ...process.env, GIT_AUTHOR_DATE: "2026-10-05T08:30:00+00:00", GIT_COMMITTER_DATE: "2026-10-05T08:30:00+00:00" },
        encoding: "utf8",
      });
    execFileSync("git", ["init", "-q", "-b", "trunk", repo]);
    writeFileSync(join(repo, "a.txt"), "a\n");
    run("add", "a.txt");
    run("-c", "user.name=Grace Hopper", "-c", "user.email=g@example.org", "commit", "-q", "-m", "Add a");
    const info = gitInfo(repo)!;
    expect(info).toEqual({
      commit: run("rev-parse", "HEAD").trim(),
      timestamp: "2026-10-05T08:30:00+00:00",
      message: "Add a",
      author: "Grace Hopper",
      branch: "trunk",
    });
    const outside = mkdtempSync(join(tmpdir(), "heaptrail-nogit-"));
    expect(gitInfo(outside)).toBeNull();
    rmSync(outside, { recursive: true });
  });
});

describe("benchmark names from file names", () => {
  test("pytest-memray's <prefix>-<node id>.bin gives the test id", () => {
    const prefix = "0f3c9a4b5e6d47a8b9c0d1e2f3a4b5c6";
    expect(benchmarkFromFileName(`${prefix}-tests-test_orders.py-test_import.bin`)).toBe("tests/test_orders.py::test_import");
    expect(benchmarkFromFileName(`${prefix}-test_x.py-TestReport-test_render[10-rows].bin`)).toBe("test_x.py::TestReport::test_render[10-rows]");
    expect(benchmarkFromFileName("nightly-tests-unit-test_a.py-test_b.bin")).toBe("tests/unit/test_a.py::test_b");
  });

  test("other names: up to `--`, else the whole stem", () => {
    expect(benchmarkFromFileName("import_orders--5e38e97.bin")).toBe("import_orders");
    expect(benchmarkFromFileName("render_report--f362419--aggregate.bin")).toBe("render_report");
    expect(benchmarkFromFileName("bench.bin")).toBe("bench");
    expect(benchmarkFromFileName("my-bench.bin")).toBe("my-bench");
  });
});

describe("runIdFor", () => {
  const meta = canonicalMeta({ benchmark: "tests/test_x.py::test_y[a/b]", commit: SHA_A, branch: "main" });

  test("URL-safe, named by benchmark and commit, deterministic", () => {
    const id = runIdFor("f".repeat(64), meta);
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(id).toMatch(/-aaaaaaa-[0-9a-f]{8}$/);
    expect(runIdFor("f".repeat(64), { ...meta })).toBe(id);
  });

  test("two captures named bench.bin, or one capture under two CI runs, get two ids", () => {
    const ci1 = { benchmark: "bench", commit: SHA_A, ciRunUrl: "https://github.com/a/b/actions/runs/1" };
    const ci2 = { ...ci1, ciRunUrl: "https://github.com/a/b/actions/runs/2" };
    expect(runIdFor("1".repeat(64), ci1)).not.toBe(runIdFor("2".repeat(64), ci1));
    expect(runIdFor("1".repeat(64), ci1)).not.toBe(runIdFor("1".repeat(64), ci2));
  });

  test("without a commit the time names the run; `keep` does not change the id", () => {
    expect(runIdFor("1".repeat(64), { benchmark: "b", timestamp: "2026-11-20T15:10:00+01:00" })).toMatch(/^b-20261120T141000Z-[0-9a-f]{8}$/);
    expect(runIdFor("1".repeat(64), { benchmark: "b" })).toMatch(/^b-[0-9a-f]{8}$/);
    expect(runIdFor("1".repeat(64), { ...meta, keep: true })).toBe(runIdFor("1".repeat(64), meta));
  });
});

describe("topCallSites", () => {
  test("self bytes per location at the peak, biggest first, summed over paths", () => {
    const root = fixtureAnalysis().flame.peak!;
    const sites = topCallSites(root);
    expect(sites.length).toBeLessThanOrEqual(20);
    expect(sites[0]).toMatchObject({ function: "load_orders", filename: "import_orders.py", lineno: 12 });
    for (let i = 1; i < sites.length; i++) expect(sites[i]!.sizeBytes).toBeLessThanOrEqual(sites[i - 1]!.sizeBytes);
    // Every location's self bytes, summed over all of them, is the root's total.
    const all = topCallSites(root, Infinity);
    expect(all.reduce((s, c) => s + c.sizeBytes, 0)).toBe(root.valueBytes[0]);
    // The order does not depend on the tree's child order: the same tree, every child list reversed.
    const nodes: FlameNode[] = Array.from({ length: root.size }, (_, i) => {
      const f = root.frames[root.frame[i]!]!;
      const interesting = (root.flags[i]! & TreeFlag.INTERESTING) !== 0;
      const importSystem = (root.flags[i]! & TreeFlag.IMPORT_SYSTEM) !== 0;
      return { ...f, thread: root.threads[root.thread[i]!]!, valueBytes: root.valueBytes[i]!, nAllocations: root.nAllocations[i]!, interesting, importSystem, children: [] };
    });
    for (let i = root.size - 1; i > 0; i--) nodes[root.parent[i]!]!.children.push(nodes[i]!);
    const reversed = flameColumns(nodes[0]!);
    expect(Array.from(reversed.valueBytes)).not.toEqual(Array.from(root.valueBytes));
    expect(topCallSites(reversed, Infinity)).toEqual(all);
    expect(topCallSites(null)).toEqual([]);
  });
});
