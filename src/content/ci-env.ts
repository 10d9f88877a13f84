/**
 * The one reader of GitHub Actions' environment: what the ingest's provenance (a run's commit,
 * branch, PR, links) and `heaptrail ci` (the event, the Pages address) learn from it.
 *
 * On pull_request events GITHUB_SHA is a merge commit that exists nowhere else: the commit is the
 * PR's head commit from the event file, the commit a PR links and its later pushes build on.
 */
import { readFileSync } from "node:fs";

type Env = Record<string, string | undefined>;

export interface GithubActions {
  /** "push", "pull_request" (also pull_request_target), else the event's own name. */
  event: string;
  /** The commit measured: the PR's head commit on pull requests, else GITHUB_SHA. */
  commit: string | null;
  /** The PR's head branch (GITHUB_HEAD_REF), else GITHUB_REF_NAME. */
  branch: string | null;
  /** A pull request's target branch (GITHUB_BASE_REF). */
  baseBranch: string | null;
  prNumber: number | null;
  /** `owner/name`. */
  repository: string | null;
  /** The workflow run's page. */
  runUrl: string | null;
  /** A push event's head commit (message, author, ISO time). */
  headCommit: { message: string | null; author: string | null; timestamp: string | null };
}

const nonEmpty = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** What GitHub Actions says about this job, or null outside Actions. An unreadable event file is no event. */
export function readGithubActions(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): GithubActions | null {
  if (env.GITHUB_ACTIONS !== "true" && !env.GITHUB_EVENT_NAME) return null;
  let payload: Record<string, any> = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      const parsed: unknown = JSON.parse(readFile(env.GITHUB_EVENT_PATH));
      if (parsed && typeof parsed === "object") payload = parsed as Record<string, any>;
    } catch {
      payload = {}; // what the environment says is still worth having
    }
  }
  const name = env.GITHUB_EVENT_NAME ?? "";
  const event = name === "pull_request_target" ? "pull_request" : name;
  const pr = payload.pull_request && typeof payload.pull_request === "object" ? payload.pull_request : null;
  const prNumber = pr ? (typeof pr.number === "number" ? pr.number : typeof payload.number === "number" ? payload.number : null) : null;
  const head = payload.head_commit && typeof payload.head_commit === "object" ? payload.head_commit : null;
  const repository = nonEmpty(env.GITHUB_REPOSITORY);
  const server = nonEmpty(env.GITHUB_SERVER_URL) ?? "https://github.com";
  return {
    event,
    commit: nonEmpty(pr?.head?.sha) ?? nonEmpty(env.GITHUB_SHA),
    branch: nonEmpty(env.GITHUB_HEAD_REF) ?? nonEmpty(env.GITHUB_REF_NAME),
    baseBranch: nonEmpty(env.GITHUB_BASE_REF),
    prNumber,
    repository,
    runUrl: repository && env.GITHUB_RUN_ID ? `${server.replace(/\/+$/, "")}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` : null,
    headCommit: { message: nonEmpty(head?.message), author: nonEmpty(head?.author?.name), timestamp: nonEmpty(head?.timestamp) },
  };
}
