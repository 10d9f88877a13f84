// `heaptrail ci` end to end, as a user's CI runs it: a project folder with its own git
// repository whose origin is a local bare repository, simulated GitHub Actions environments, the
// command run from the project folder. (The packed-and-installed command is test/cli/package.test.ts's.)
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { OkRunEntry } from "../../src/content/schema.ts";
import { formatBytes } from "../../src/shared/format.ts";
import { git, gitProject } from "../helpers/git.ts";

const REPO = join(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "heaptrail.mjs");
const CAPTURES = join(REPO, "captures");
const root = mkdtempSync(join(tmpdir(), "heaptrail-ci-"));
afterAll(() => rmSync(root, { recursive: true, force: true }), 60_000);

const { bare, work: project } = gitProject(root, "project", { name: "bench.py", text: "print('bench')\n" });
const HEAD = git(project, "rev-parse", "HEAD");

/** A folder of captures: demo captures with their meta files, or with the meta given. */
function captures(name: string, files: Array<[stem: string, meta?: Record<string, unknown>, as?: string]>): string {
  const dir = join(project, name);
  mkdirSync(dir);
  for (const [stem, meta, as = stem] of files) {
    copyFileSync(join(CAPTURES, `${stem}.bin`), join(dir, `${as}.bin`));
    if (meta) writeFileSync(join(dir, `${as}.meta.json`), JSON.stringify(meta));
    else copyFileSync(join(CAPTURES, `${stem}.meta.json`), join(dir, `${as}.meta.json`));
  }
  return name;
}

function actions(event: "push" | "pull_request", extra: Record<string, string> = {}): Record<string, string> {
  const eventPath = join(root, `${event}.json`);
  writeFileSync(eventPath, JSON.stringify(event === "pull_request" ? { number: 42, pull_request: { number: 42, head: { sha: "c".repeat(40) } } } : {}));
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: HEAD,
    GITHUB_REF_NAME: event === "push" ? "main" : "42/merge",
    GITHUB_REPOSITORY: "acme/etl",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "7",
    ...extra,
  };
}

function ci(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GITHUB_")));
    const child = spawn(process.execPath, [BIN, "ci", ...args], { cwd: project, env: { ...clean, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const historyFiles = () => git(bare, "ls-tree", "-r", "--name-only", "heaptrail-data").split("\n").filter((f) => f.startsWith("runs/"));
/** A run entry as the history branch holds it. */
const historyEntry = (file: string) => JSON.parse(git(bare, "show", `heaptrail-data:${file}`)) as OkRunEntry;
/** The run ids a built site has a page for. */
const runPages = (site: string) => readdirSync(join(root, site, "runs")).filter((id) => existsSync(join(root, site, "runs", id, "index.html"))).sort();
const page = (site: string, ...path: string[]) => readFileSync(join(root, site, ...path, "index.html"), "utf8");
const fullSha = (short: string) => (JSON.parse(readFileSync(join(CAPTURES, `import_orders--${short}.meta.json`), "utf8")) as { commit: string }).commit;

describe("heaptrail ci", { timeout: 600_000 }, () => {
  it("a push lands its run on the history branch (created as an orphan) and builds the site", async () => {
    const r = await ci(actions("push"), "--captures", captures("c1", [["import_orders--a55ec1e"]]), "--out", "../site1");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("heaptrail ci: 1 runs (0 failed), history of 1 runs → ../site1 (pushed to heaptrail-data)\n");
    const files = historyFiles();
    expect(files).toHaveLength(1);
    expect(git(bare, "log", "--format=%s", "heaptrail-data")).toMatch(/^heaptrail: 1 run of /);
    const entry = historyEntry(files[0]!);
    expect(entry).toMatchObject({ status: "ok", benchmark: "import_orders", branch: "main", commit: fullSha("a55ec1e") });
    // The site: the run's page with its figures, its commit's page, its benchmark's page, the index.
    expect(runPages("site1")).toEqual([entry.id]);
    const runPage = page("site1", "runs", entry.id);
    expect(runPage).toContain(formatBytes(entry.peakMemoryBytes));
    expect(runPage).toContain(formatBytes(entry.leakedBytes));
    const commitPage = page("site1", "commits", fullSha("a55ec1e"));
    expect(commitPage).toContain("import_orders");
    expect(commitPage).toContain(formatBytes(entry.peakMemoryBytes));
    expect(page("site1", "benchmarks", "import_orders")).toContain(formatBytes(entry.peakMemoryBytes));
    expect(page("site1")).toContain("import_orders");
    // The user's checkout is as it was.
    expect(git(project, "rev-parse", "HEAD")).toBe(HEAD);
    expect(git(project, "branch", "--list")).toBe("* main");
  });

  it("a pull request compares with the base branch, writes the comment, fails the gate, pushes nothing", async () => {
    const before = git(bare, "rev-parse", "heaptrail-data");
    // The regression's capture, as a pull request's run.
    const pr = captures("c2", [["import_orders--80213f9", { benchmark: "import_orders", branch: "feature/cache", commit: "c".repeat(40), pr: 42, baseBranch: "main", timestamp: "2026-11-17T10:00:00Z" }, "import_orders"]]);
    const r = await ci(actions("pull_request", { GITHUB_HEAD_REF: "feature/cache", GITHUB_BASE_REF: "main" }), "--captures", pr, "--out", "../preview", "--comment", "../comment.md", "--fail-above", "10");
    expect(r.code).toBe(1);
    const comment = readFileSync(join(root, "comment.md"), "utf8");
    expect(comment).toMatch(/^<!-- heaptrail:compare -->/);
    expect(comment).toContain("+40.5%");
    expect(comment).toContain("https://acme.github.io/etl/");
    expect(git(bare, "rev-parse", "heaptrail-data")).toBe(before);
    // The preview: the history's run and the pull request's, which is in no history.
    const history = historyFiles().map((f) => historyEntry(f).id);
    const preview = runPages("preview");
    expect(preview).toHaveLength(2);
    expect(preview).toEqual(expect.arrayContaining(history));
    expect(page("preview", "commits", "c".repeat(40))).toContain("import_orders");
  });

  it("two pushes that race both land", async () => {
    const [a, b] = await Promise.all([
      ci(actions("push"), "--captures", captures("c3", [["import_orders--80213f9"]]), "--out", "../site3"),
      ci(actions("push"), "--captures", captures("c4", [["render_report--80213f9"]]), "--out", "../site4"),
    ]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const files = historyFiles();
    expect(files).toHaveLength(3);
    const entries = files.map(historyEntry);
    expect(entries.map((e) => `${e.benchmark}@${e.commit!.slice(0, 7)}`).sort()).toEqual(["import_orders@80213f9", "import_orders@a55ec1e", "render_report@80213f9"]);
    // Each site shows the history it was built from: the push that lost the race (or came second)
    // retried on top of the other and shows all three runs; the other, the first run and its own.
    const sites = ["site3", "site4"].map(runPages);
    expect(sites.map((p) => p.length).sort()).toEqual([2, 3]);
    for (const pages of sites) expect(entries.map((e) => e.id)).toEqual(expect.arrayContaining(pages));
    const last = ["site3", "site4"][sites.findIndex((p) => p.length === 3)]!;
    const commitPage = page(last, "commits", fullSha("80213f9"));
    for (const e of entries.filter((x) => x.commit === fullSha("80213f9"))) {
      expect(commitPage).toContain(e.benchmark);
      expect(commitPage).toContain(formatBytes(e.peakMemoryBytes));
    }
  });

  it("clear errors: no captures, a push without origin", async () => {
    expect((await ci({}, "--out", "../x")).code).toBe(2);
    const lonely = join(root, "lonely");
    git(root, "init", "--quiet", "-b", "main", lonely);
    mkdirSync(join(lonely, "caps"));
    copyFileSync(join(CAPTURES, "import_orders--a55ec1e.bin"), join(lonely, "caps", "a.bin"));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "ci", "--captures", "caps", "--push"], { cwd: lonely });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^heaptrail ci: the repository has no remote named origin/);
  });
});
