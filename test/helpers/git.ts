/** Git repositories for tests: a project with one commit whose origin is a local bare repository. */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Run git in `cwd`; its output, trimmed (throws on a non-zero exit). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

export interface GitProject {
  /** The bare repository that is the project's origin: `<root>/<name>.git`. */
  bare: string;
  /** The project's working folder: `<root>/<name>`, on main, one commit, pushed. */
  work: string;
}

/** A project in `<root>/<name>` with `file` committed on main and pushed to its bare origin. */
export function gitProject(root: string, name: string, file: { name: string; text: string } = { name: "app.py", text: "print('hi')\n" }): GitProject {
  const bare = join(root, `${name}.git`);
  const work = join(root, name);
  git(root, "init", "--quiet", "--bare", "-b", "main", bare);
  git(root, "init", "--quiet", "-b", "main", work);
  git(work, "config", "user.name", "Dev");
  git(work, "config", "user.email", "dev@example.org");
  writeFileSync(join(work, file.name), file.text);
  git(work, "add", file.name);
  git(work, "commit", "--quiet", "-m", "first");
  git(work, "remote", "add", "origin", bare);
  git(work, "push", "--quiet", "origin", "main");
  return { bare, work };
}
