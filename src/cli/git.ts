/**
 * Git for `heaptrail ci`: the history branch is read and written with plumbing (a private index
 * and ref, a scratch work tree), so the user's working tree, index, HEAD and branches are never
 * touched. Every failure is a GitError with one line a user can act on.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class GitError extends Error {
  /** git's whole error output, for deciding what happened (a rejected push, say). */
  readonly stderr: string;
  constructor(message: string, stderr = "") {
    super(message);
    this.stderr = stderr;
  }
}

/** Who commits to the history branch when git has no identity configured. */
const DEFAULT_IDENTITY = { name: "heaptrail", email: "heaptrail@users.noreply.github.com" };
/** GitHub's own bot identity, used in Actions. */
const ACTIONS_IDENTITY = { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com" };

export interface GitOptions {
  /** The repository's working directory. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** Runs git; returns stdout trimmed. Throws GitError with git's first error line. */
export function git(args: string[], o: GitOptions): string {
  try {
    return execFileSync("git", args, {
      cwd: o.cwd,
      env: { ...process.env, ...o.env, GIT_TERMINAL_PROMPT: "0" },
      input: o.input,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 256 << 20,
    }).trim();
  } catch (e) {
    const err = e as { stderr?: string; status?: number; code?: string };
    if (err.code === "ENOENT") throw new GitError("git is not installed (needed for the history branch)");
    const stderr = err.stderr ?? "";
    // git prints progress ("To origin") before the reason: prefer its fatal/error line.
    const lines = stderr.split("\n").map((s) => s.trim()).filter((s) => s.length > 0);
    const line = (lines.find((s) => /^(fatal|error):/.test(s)) ?? lines[0])?.replace(/^(fatal|error): /, "");
    throw new GitError(`git ${args[0]} failed: ${line ?? `exit ${err.status}`}`, stderr);
  }
}

/** Like git(), but null instead of an error (for questions: "is there an origin?"). */
export function gitMaybe(args: string[], o: GitOptions): string | null {
  try {
    return git(args, o);
  } catch {
    return null;
  }
}

/** The repository's top folder, or a GitError saying the folder is not in a git repository. */
export function repositoryRoot(cwd: string): string {
  const top = gitMaybe(["rev-parse", "--show-toplevel"], { cwd });
  if (!top) throw new GitError(`${cwd} is not inside a git repository`);
  return top;
}

export function requireOrigin(cwd: string): string {
  const url = gitMaybe(["remote", "get-url", "origin"], { cwd });
  if (!url) throw new GitError("the repository has no remote named origin (the history branch lives there)");
  return url;
}

function identityEnv(cwd: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.GITHUB_ACTIONS === "true") {
    const id = ACTIONS_IDENTITY;
    return { GIT_AUTHOR_NAME: id.name, GIT_AUTHOR_EMAIL: id.email, GIT_COMMITTER_NAME: id.name, GIT_COMMITTER_EMAIL: id.email };
  }
  const name = gitMaybe(["config", "user.name"], { cwd });
  const email = gitMaybe(["config", "user.email"], { cwd });
  if (name && email) return {};
  const id = DEFAULT_IDENTITY;
  return { GIT_AUTHOR_NAME: name || id.name, GIT_AUTHOR_EMAIL: email || id.email, GIT_COMMITTER_NAME: name || id.name, GIT_COMMITTER_EMAIL: email || id.email };
}

function gitDir(cwd: string): string {
  return git(["rev-parse", "--absolute-git-dir"], { cwd });
}

/** A private ref for the fetched history, so no branch or remote-tracking ref of the user moves. */
function privateRef(branch: string): string {
  return `refs/heaptrail/${branch}`;
}

/** Branch names go into refspecs: refuse anything git would not take as a branch. */
export function checkBranchName(branch: string, cwd: string): void {
  if (branch.startsWith("-") || gitMaybe(["check-ref-format", "--branch", branch], { cwd }) === null) {
    throw new GitError(`"${branch}" is not a valid branch name`);
  }
}

/**
 * Fetch the history branch from origin into a private ref. Returns its commit, or null when
 * origin has no such branch yet (the first run creates it as an orphan branch).
 */
export function fetchHistory(cwd: string, branch: string, env: NodeJS.ProcessEnv = {}): string | null {
  const remote = gitMaybe(["ls-remote", "--heads", "origin", `refs/heads/${branch}`], { cwd, env });
  if (remote === null) {
    // ls-remote failed: say why (no network, no permission, no such remote).
    git(["ls-remote", "--heads", "origin"], { cwd, env });
  }
  if (!remote) return null;
  git(["fetch", "--quiet", "--no-tags", "origin", `+refs/heads/${branch}:${privateRef(branch)}`], { cwd, env });
  return git(["rev-parse", "--verify", `${privateRef(branch)}^{commit}`], { cwd, env });
}

/** Write a commit's tree into `dir` (a scratch work tree) through a private index. */
export function extractTree(cwd: string, commit: string, dir: string): void {
  const scratch = mkdtempSync(join(tmpdir(), "heaptrail-index-"));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, "index") };
    git(["read-tree", commit], { cwd, env });
    git([`--git-dir=${gitDir(cwd)}`, `--work-tree=${dir}`, "checkout-index", "--all", "--force"], { cwd: dir, env });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Commit everything in `dir` as the new tree of the history branch, on top of `parent` (null:
 * an orphan root commit). Returns the commit, or null when the tree is unchanged.
 */
export function commitTree(cwd: string, dir: string, parent: string | null, message: string, env: NodeJS.ProcessEnv = {}): string | null {
  const scratch = mkdtempSync(join(tmpdir(), "heaptrail-index-"));
  try {
    const indexEnv = { GIT_INDEX_FILE: join(scratch, "index") };
    // -f: the user's ignore rules (core.excludesFile, info/exclude) must not drop ledger files.
    // The build's caches and lock (content/.cache, .lock) are machine-specific: never history.
    git([`--git-dir=${gitDir(cwd)}`, `--work-tree=${dir}`, "add", "--all", "--force", "--", ".", ":!.cache", ":!.lock"], { cwd: dir, env: indexEnv });
    const tree = git(["write-tree"], { cwd, env: indexEnv });
    if (parent !== null && git(["rev-parse", `${parent}^{tree}`], { cwd }) === tree) return null;
    const args = ["commit-tree", tree, "-m", message];
    if (parent !== null) args.push("-p", parent);
    return git(args, { cwd, env: identityEnv(cwd, env) });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Push a commit to origin's history branch. False when the push was rejected as not fast-forward. */
export function pushHistory(cwd: string, branch: string, commit: string, env: NodeJS.ProcessEnv = {}): boolean {
  try {
    git(["push", "--quiet", "origin", `${commit}:refs/heads/${branch}`], { cwd, env });
    return true;
  } catch (e) {
    const { message, stderr } = e as GitError;
    if (/non-fast-forward|fetch first|\[rejected\]|stale info|cannot lock ref/i.test(stderr ?? message)) return false;
    throw new GitError(`could not push ${branch} to origin: ${message.replace(/^git push failed: /, "")}`, stderr);
  }
}

export interface UpdateHistoryOptions {
  cwd: string;
  branch: string;
  message: string;
  /** Adds this job's runs to the checked-out ledger in `dir` (called again after a lost race). */
  apply: (dir: string) => Promise<void> | void;
  /** Push the commit (false: commit locally to the private ref only). */
  push: boolean;
  /** Attempts when a concurrent job pushed first. Default 5. */
  attempts?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * Fetch, apply, commit and push the history branch, retrying a rejected push on top of the new
 * remote head. Entries are separate files, so a concurrent job's runs and ours never conflict:
 * re-applying ours on top of theirs is always right. Returns the ledger folder (a scratch copy
 * of the new history) and the commit; the caller removes `dir`.
 */
export async function updateHistory(o: UpdateHistoryOptions): Promise<{ dir: string; commit: string | null; pushed: boolean }> {
  const attempts = o.attempts ?? 5;
  checkBranchName(o.branch, o.cwd);
  for (let attempt = 1; ; attempt++) {
    const parent = fetchHistory(o.cwd, o.branch, o.env);
    const dir = mkdtempSync(join(tmpdir(), "heaptrail-history-"));
    try {
      if (parent !== null) extractTree(o.cwd, parent, dir);
      await o.apply(dir);
      const commit = commitTree(o.cwd, dir, parent, o.message, o.env);
      if (commit === null) return { dir, commit: parent, pushed: false };
      if (!o.push) {
        git(["update-ref", privateRef(o.branch), commit], { cwd: o.cwd });
        return { dir, commit, pushed: false };
      }
      if (pushHistory(o.cwd, o.branch, commit, o.env)) return { dir, commit, pushed: true };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    rmSync(dir, { recursive: true, force: true });
    if (attempt >= attempts) throw new GitError(`origin's ${o.branch} kept moving: gave up after ${attempts} attempts to push`);
    o.log?.(`${o.branch}: another job pushed first; retrying on top of it (${attempt}/${attempts})`);
  }
}

/** The commit the pull request's base branch and HEAD share, or null when git cannot tell. */
export function mergeBase(cwd: string, baseBranch: string, env: NodeJS.ProcessEnv = {}): string | null {
  // actions/checkout leaves origin/<base> only with fetch-depth 0; fetch it when missing.
  if (gitMaybe(["rev-parse", "--verify", `refs/remotes/origin/${baseBranch}`], { cwd }) === null) {
    gitMaybe(["fetch", "--quiet", "--no-tags", "origin", `+refs/heads/${baseBranch}:refs/remotes/origin/${baseBranch}`], { cwd, env });
  }
  return gitMaybe(["merge-base", `refs/remotes/origin/${baseBranch}`, "HEAD"], { cwd });
}
