// `heaptrail ci --budget` on a pytest-memray folder: the tests over budget are named, the comment
// lists them, the budget is kept in the run's entry, and the command exits 1.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { urls } from "../../src/content/urls.ts";
import type { GroupFile } from "../../src/site/suites.ts";
import { writeSuiteCaptures } from "../helpers/suite-captures.ts";

const REPO = join(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "heaptrail.mjs");
const root = mkdtempSync(join(tmpdir(), "heaptrail-ci-budget-"));
afterAll(() => rmSync(root, { recursive: true, force: true }), 60_000);

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
const project = join(root, "project");
git(root, "init", "--quiet", "-b", "main", project);
git(project, "config", "user.name", "Dev");
git(project, "config", "user.email", "dev@example.org");
writeFileSync(join(project, "test_a.py"), "def test_a(): pass\n");
git(project, "add", "test_a.py");
git(project, "commit", "--quiet", "-m", "first");
// Three tests of one file, named as pytest-memray names them.
writeSuiteCaptures({ tests: 3, files: 1 }, 0, join(project, "memray"));

function ci(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GITHUB_")));
    const child = spawn(process.execPath, [BIN, "ci", ...args], { cwd: project, env: clean });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("heaptrail ci --budget", { timeout: 600_000 }, () => {
  it("a bad budget is a usage error", async () => {
    const r = await ci("--captures", "memray", "--budget", "*=lots");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--budget: expected a size such as 50MB or 1.5GiB (units B, KB, MB, GB, KiB, MiB, GiB), got "lots"');
  });

  it("a test over its budget fails the gate, is named, and keeps its budget in the history", async () => {
    writeFileSync(join(project, "budgets.txt"), "# the rest\n*=1GB\n");
    const r = await ci("--captures", "memray", "--budget", "tests/pkg0/test_mod00.py::test_case0=1KiB", "--budget-file", "budgets.txt", "--out", "../site", "--comment", "../comment.md");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/over budget: tests\/pkg0\/test_mod00\.py::test_case0: peak [\d.]+ [kM]B > budget 1\.02 kB/);
    expect(r.stderr).not.toMatch(/over budget: .*test_case0_1/);
    expect(r.stdout).toContain("1 over budget");
    const comment = readFileSync(join(root, "comment.md"), "utf8");
    expect(comment).toContain("### Over budget (1)");
    expect(comment).toMatch(/\| tests\/pkg0\/test_mod00\.py::test_case0 +\| [\d.]+ [kM]B \| 1\.02 kB \| \*\*\+[\d.]+ [kM]B\*\* \|/);
    expect(comment).toContain("the check fails.");
    // The budget travels with the run: the site marks the test (its group's data, as the index shows it).
    const group = JSON.parse(readFileSync(join(root, "site", urls.groupData("tests/pkg0/test_mod00.py")), "utf8")) as GroupFile;
    const marked = group.tests.filter((t) => t.overBudget).map((t) => [t.test, t.budget]);
    expect(marked).toEqual([["tests/pkg0/test_mod00.py::test_case0", "1.02 kB"]]);
    expect(group.tests.find((t) => t.test.endsWith("test_case0_1"))!.budget).toBe("1.00 GB");
  });
});
