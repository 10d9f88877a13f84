// The history branch against a local bare repository as origin: orphan creation, extraction,
// a push that loses a race and lands on retry, and the user's checkout left as it was.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GitError, fetchHistory, mergeBase, requireOrigin, updateHistory } from "../../src/cli/git.ts";
import { git, gitProject } from "../helpers/git.ts";

const root = mkdtempSync(join(tmpdir(), "heaptrail-git-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const project = (name: string) => gitProject(root, name);

const addRun = (id: string) => (dir: string) => {
  mkdirSync(join(dir, "runs"), { recursive: true });
  writeFileSync(join(dir, "runs", `${id}.json`), JSON.stringify({ id }));
};

describe("history branch", () => {
  it("creates the branch as an orphan, then adds to it; the user's checkout is untouched", async () => {
    const { bare, work } = project("a");
    const head = git(work, "rev-parse", "HEAD");
    writeFileSync(join(work, "dirty.txt"), "uncommitted\n");
    const first = await updateHistory({ cwd: work, branch: "heaptrail-data", message: "runs 1", apply: addRun("r1"), push: true });
    expect(first.pushed).toBe(true);
    const second = await updateHistory({ cwd: work, branch: "heaptrail-data", message: "runs 2", apply: addRun("r2"), push: true });
    expect(readdirSync(join(second.dir, "runs")).sort()).toEqual(["r1.json", "r2.json"]);
    expect(git(bare, "rev-list", "--count", "heaptrail-data")).toBe("2");
    // Orphan: the history shares no commit with main.
    expect(git(bare, "rev-list", "--max-parents=0", "heaptrail-data")).not.toBe(git(bare, "rev-list", "--max-parents=0", "main"));
    expect(git(work, "rev-parse", "HEAD")).toBe(head);
    expect(git(work, "branch", "--list")).toBe("* main");
    expect(readFileSync(join(work, "dirty.txt"), "utf8")).toBe("uncommitted\n");
    expect(git(work, "status", "--porcelain")).toBe("?? dirty.txt");
  });

  it("a push that races another push lands on retry, keeping both runs", async () => {
    const { bare, work } = project("b");
    await updateHistory({ cwd: work, branch: "heaptrail-data", message: "base", apply: addRun("r0"), push: true });
    const other = join(root, "b-other");
    git(root, "clone", "--quiet", bare, other);
    let raced = false;
    const result = await updateHistory({
      cwd: work,
      branch: "heaptrail-data",
      message: "ours",
      push: true,
      apply: (dir) => {
        addRun("ours")(dir);
        if (!raced) {
          raced = true; // another job pushes between our fetch and our push
          execFileSync("bash", ["-c", `git -C '${other}' fetch -q origin heaptrail-data && git -C '${other}' checkout -q heaptrail-data && mkdir -p '${other}/runs' && echo '{}' > '${other}/runs/theirs.json' && git -C '${other}' add runs && git -C '${other}' -c user.name=O -c user.email=o@x commit -qm theirs && git -C '${other}' push -q origin heaptrail-data`]);
        }
      },
    });
    expect(result.pushed).toBe(true);
    const files = git(bare, "ls-tree", "-r", "--name-only", "heaptrail-data").split("\n").sort();
    expect(files).toEqual(["runs/ours.json", "runs/r0.json", "runs/theirs.json"]);
  });

  it("without --push nothing reaches origin", async () => {
    const { bare, work } = project("c");
    const result = await updateHistory({ cwd: work, branch: "heaptrail-data", message: "local", apply: addRun("x"), push: false });
    expect(result.commit).not.toBeNull();
    expect(git(bare, "branch", "--list")).toBe("* main");
    expect(existsSync(join(result.dir, "runs", "x.json"))).toBe(true);
  });

  it("clear errors: no origin, a bad branch name, an unreachable origin", async () => {
    const work = join(root, "d");
    git(root, "init", "--quiet", "-b", "main", work);
    expect(() => requireOrigin(work)).toThrow(/no remote named origin/);
    await expect(updateHistory({ cwd: work, branch: "-x", message: "m", apply: () => {}, push: true })).rejects.toThrow(/not a valid branch name/);
    git(work, "remote", "add", "origin", join(root, "missing.git"));
    expect(() => fetchHistory(work, "heaptrail-data")).toThrow(GitError);
  });

  it("finds the merge base of a pull request's branch", () => {
    const { work } = project("e");
    const base = git(work, "rev-parse", "HEAD");
    git(work, "checkout", "--quiet", "-b", "feature");
    writeFileSync(join(work, "f.py"), "x = 1\n");
    git(work, "add", "f.py");
    git(work, "commit", "--quiet", "-m", "feature");
    expect(mergeBase(work, "main")).toBe(base);
  });
});
