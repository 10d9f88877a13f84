/**
 * Where a run comes from: its metadata, resolved field by field from (highest first) `--meta`
 * flags, the capture's `NAME.meta.json`, the CI environment (GitHub Actions), git in the working
 * directory, and the capture header; its benchmark name; and its run id.
 *
 * Everything here is deterministic in its inputs: the same capture under the same metadata gets
 * the same id and the same meta on any machine, so re-ingesting changes nothing and ledgers made
 * by separate CI jobs merge by copying.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseSize } from "./budgets.ts";
import { readGithubActions } from "./ci-env.ts";
import { pytestMemrayTestId } from "./pytest-memray.ts";
import { benchmarkSlug } from "./urls.ts";
import { runMetaSchema, type RunMeta } from "./schema.ts";

/** The meta keys, in the order entries store them (sorted: canonical). */
export const META_KEYS = [
  "author",
  "baseBranch",
  "benchmark",
  "branch",
  "budget",
  "ciRunUrl",
  "commit",
  "group",
  "keep",
  "message",
  "pr",
  "repository",
  "timestamp",
] as const satisfies ReadonlyArray<keyof RunMeta>;

/** A meta object with its keys sorted and empty values (null, undefined, "") dropped. */
export function canonicalMeta(meta: RunMeta): RunMeta {
  const out: Record<string, unknown> = {};
  for (const key of META_KEYS) {
    const value = meta[key];
    if (value !== null && value !== undefined && value !== "") out[key] = value;
  }
  return out as RunMeta;
}

/** `--meta KEY=VALUE`: one field; `pr` becomes a number when it is one, `keep` a boolean, `budget` bytes (budgets.ts's sizes). */
export function parseMetaFlag(text: string): RunMeta {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error(`--meta takes KEY=VALUE, got "${text}"`);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (!(META_KEYS as readonly string[]).includes(key)) {
    throw new Error(`--meta: unknown key "${key}" (one of ${META_KEYS.join(", ")})`);
  }
  if (key === "budget") {
    try {
      return { budget: parseSize(value) };
    } catch (e) {
      throw new Error(`--meta budget: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (key === "keep") {
    if (!/^(true|false|1|0|yes|no)$/i.test(value)) throw new Error(`--meta keep takes true or false, got "${value}"`);
    return { keep: /^(true|1|yes)$/i.test(value) };
  }
  if (key === "pr" && /^\d+$/.test(value)) return { pr: Number(value) };
  return { [key]: value } as RunMeta;
}

/** A capture's `NAME.meta.json` beside it: `{}` when absent; an invalid file is reported. */
export function readMetaFile(capturePath: string, warn: (message: string) => void = () => {}): RunMeta {
  const metaPath = capturePath.replace(/\.bin$/i, "") + ".meta.json";
  if (!existsSync(metaPath)) return {};
  try {
    const parsed = runMetaSchema.safeParse(JSON.parse(readFileSync(metaPath, "utf8")));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    warn(`${basename(metaPath)}: ignored (${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"})`);
  } catch (e) {
    warn(`${basename(metaPath)}: ignored (${e instanceof Error ? e.message : String(e)})`);
  }
  return {};
}

type Env = Record<string, string | undefined>;

/**
 * What GitHub Actions says about the run (nothing outside Actions), from the one reader of its
 * environment (ci-env.ts): commit (a PR's head commit), branch, PR number, base branch,
 * repository, a link to the workflow run and, for push events, the head commit's message, author
 * and time.
 */
export function githubActionsMeta(env: Env, readFile?: (path: string) => string): RunMeta {
  const gh = readGithubActions(env, readFile);
  if (gh === null) return {};
  const meta: RunMeta = {
    commit: gh.commit,
    branch: gh.branch,
    pr: gh.prNumber,
    baseBranch: gh.baseBranch,
    repository: gh.repository,
    ciRunUrl: gh.runUrl,
    message: gh.headCommit.message,
    author: gh.headCommit.author,
    timestamp: gh.headCommit.timestamp,
  };
  return canonicalMeta(meta);
}

/** git's view of the working directory: HEAD's commit, author date, subject, author and branch. */
export interface GitInfo {
  commit: string;
  timestamp: string;
  message: string;
  author: string;
  /** null on a detached HEAD. */
  branch: string | null;
}

const gitCache = new Map<string, GitInfo | null>();

/** git in `cwd`, or null when it is not a repository (or git is missing). Cached per folder. */
export function gitInfo(cwd: string): GitInfo | null {
  if (gitCache.has(cwd)) return gitCache.get(cwd)!;
  let info: GitInfo | null = null;
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 });
    const [commit, timestamp, author, ...subject] = git("log", "-1", "--format=%H%x00%aI%x00%an%x00%s").replace(/\n$/, "").split("\0");
    const branch = git("rev-parse", "--abbrev-ref", "HEAD").trim();
    if (commit && /^[0-9a-f]{40,64}$/.test(commit)) {
      info = { commit, timestamp: timestamp ?? "", author: author ?? "", message: subject.join("\0"), branch: branch && branch !== "HEAD" ? branch : null };
    }
  } catch {
    info = null;
  }
  gitCache.set(cwd, info);
  return info;
}

/** Git's fields as meta; empty when a higher source names another commit (git describes HEAD only). */
function gitMeta(git: GitInfo | null, commit: string | null | undefined): RunMeta {
  if (git === null) return {};
  if (commit && !git.commit.startsWith(commit.toLowerCase()) && !commit.toLowerCase().startsWith(git.commit)) return {};
  return canonicalMeta({ commit: git.commit, timestamp: git.timestamp, message: git.message, author: git.author, branch: git.branch });
}

export interface MetaSources {
  /** `--meta KEY=VALUE` flags, merged. */
  flags?: RunMeta;
  /** `--benchmark NAME`. */
  benchmark?: string;
  /** The capture's `NAME.meta.json`. */
  file?: RunMeta;
  /** The CI environment's meta (githubActionsMeta). */
  ci?: RunMeta;
  /** git in the working directory, or null. */
  git?: GitInfo | null;
  /** The capture's file name (for the benchmark name when nothing gives one). */
  fileName: string;
}

/**
 * The run's metadata, field by field from the highest source that has it. Git only describes
 * its HEAD: it adds nothing when a higher source names another commit. The capture header's start
 * time is not meta: the entry's `timeMs` falls back to it (see resolvedFields).
 */
export function resolveMeta(sources: MetaSources): RunMeta {
  const layers = [sources.flags ?? {}, sources.file ?? {}, sources.ci ?? {}];
  const pick = <K extends keyof RunMeta>(key: K, from: RunMeta[]): RunMeta[K] => {
    for (const layer of from) {
      const v = layer[key];
      if (v !== null && v !== undefined && v !== "") return v;
    }
    return undefined;
  };
  const commit = pick("commit", layers);
  const all = [...layers, gitMeta(sources.git ?? null, commit)];
  const meta: Record<string, unknown> = {};
  for (const key of META_KEYS) meta[key] = pick(key, all);
  meta.benchmark = sources.benchmark || pick("benchmark", [sources.flags ?? {}, sources.file ?? {}]) || benchmarkFromFileName(sources.fileName);
  return canonicalMeta(meta as RunMeta);
}

/**
 * The benchmark a capture's file name names: a pytest-memray file's test id,
 * `tests/test_x.py::TestY::test_z[param]` (pytest-memray.ts says how it is read back), else the
 * file name up to `--`.
 */
export function benchmarkFromFileName(fileName: string): string {
  const stem = basename(fileName).replace(/\.bin$/i, "");
  const pytest = pytestMemrayTestId(stem);
  if (pytest !== null) return pytest;
  return stem.split("--")[0] || stem || "benchmark";
}

/**
 * A run's id: `<benchmark slug>-<commit, 7 hex>-<8 hex>` (or `<slug>-<UTC time>-<8 hex>`
 * when there is no commit, or just `<slug>-<8 hex>`), the last part from sha256 of the capture's
 * hash and the canonical resolved meta. URL-safe and stable; two captures or two metadata sets
 * never share an id (up to 2^-32 within one benchmark and commit). `keep` and `budget` are left
 * out of the digest: pinning a run or changing its budget rewrites its entry, it does not make
 * another run.
 */
export function runIdFor(captureHash: string, meta: RunMeta): string {
  const { keep: _keep, budget: _budget, ...identity } = canonicalMeta(meta);
  const digest = createHash("sha256").update(`${captureHash}\n${JSON.stringify(identity)}`).digest("hex").slice(0, 8);
  const slug = benchmarkSlug(identity.benchmark ?? "benchmark");
  const commit = identity.commit?.toLowerCase().replace(/[^0-9a-f]/g, "").slice(0, 7);
  const stamp = identity.timestamp ? Date.parse(identity.timestamp) : NaN;
  const when = commit
    ? commit
    : Number.isFinite(stamp)
      ? new Date(stamp).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")
      : "";
  return [slug, when, digest].filter(Boolean).join("-");
}
