// `heaptrail ci` end to end, as a user's CI runs it: a project folder with its own git
// repository whose origin is a local bare repository, simulated GitHub Actions environments, the
// command run from the project folder. (The packed-and-installed command is test/cli/package.test.ts's.)
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "heaptrail.mjs");
const CAPTURES = join(REPO, "captures");
const root = mkdtempSync(join(tmpdir(), "heaptrail-ci-"));
afterAll(() => rmSync(root, { recursive: true, force: true }), 60_000);

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
const bare = join(root, "origin.git");
const project = join(root, "project");
git(root, "init", "--quiet", "--bare", "-b", "main", bare);
git(root, "init", "--quiet", "-b", "main", project);
git(project, "config", "user.name", "Dev");
git(project, "config", "user.email", "dev@example.org");
writeFileSync(join(project, "bench.py"), "print('bench')\n");
git(project, "add", "bench.py");
git(project, "commit", "--quiet", "-m", "first");
git(project, "remote", "add", "origin", bare);
git(project, "push", "--quiet", "origin", "main");
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
const fullSha = (short: string) => (JSON.parse(readFileSync(join(CAPTURES, `import_orders--${short}.meta.json`), "utf8")) as { commit: string }).commit;

describe("heaptrail ci", { timeout: 600_000 }, () => {
  it("a push lands its run on the history branch (created as an orphan) and builds the site", async () => {
    const r = await ci(actions("push"), "--captures", captures("c1", [["import_orders--a55ec1e"]]), "--out", "../site1");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(historyFiles()).toHaveLength(1);
    expect(git(bare, "log", "--format=%s", "heaptrail-data")).toMatch(/^heaptrail: 1 run of /);
    expect(existsSync(join(root, "site1", "commits", fullSha("a55ec1e"), "index.html"))).toBe(true);
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
    expect(existsSync(join(root, "preview", "index.html"))).toBe(true);
  });

  it("two pushes that race both land", async () => {
    const [a, b] = await Promise.all([
      ci(actions("push"), "--captures", captures("c3", [["import_orders--80213f9"]]), "--out", "../site3"),
      ci(actions("push"), "--captures", captures("c4", [["render_report--80213f9"]]), "--out", "../site4"),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(historyFiles()).toHaveLength(3);
    // Whichever built last shows the regression commit's page with its run.
    const pages = ["site3", "site4"].map((s) => join(root, s, "commits", fullSha("80213f9"), "index.html")).filter((p) => existsSync(p));
    expect(pages.length).toBeGreaterThan(0);
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
