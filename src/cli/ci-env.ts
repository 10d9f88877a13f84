/**
 * What `heaptrail ci` learns from GitHub Actions' environment (and nothing else: git is asked
 * separately). Outside Actions every field is null and the event is "local".
 */
import { readFileSync } from "node:fs";

export type CiEvent = "push" | "pull_request" | "local";

export interface CiContext {
  event: CiEvent;
  /** The commit measured: GITHUB_SHA (for pull requests, GitHub's merge commit). */
  sha: string | null;
  /** The branch the runs belong to: the PR's head branch, else GITHUB_REF_NAME. */
  branch: string | null;
  /** A pull request's target branch (GITHUB_BASE_REF). */
  baseBranch: string | null;
  prNumber: number | null;
  /** `owner/name`. */
  repository: string | null;
  /** The Pages site and the path it is served under, e.g. https://me.github.io/repo/ and /repo/. */
  siteUrl: string | null;
  basePath: string | null;
}

/** GitHub Pages' address of a repository: user/organisation sites live at the root. */
export function pagesLocation(repository: string): { siteUrl: string; basePath: string } {
  const [owner = "", name = ""] = repository.split("/");
  const host = `${owner.toLowerCase()}.github.io`;
  if (name.toLowerCase() === host) return { siteUrl: `https://${host}/`, basePath: "/" };
  return { siteUrl: `https://${host}/${name}/`, basePath: `/${name}/` };
}

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function ciContext(env: NodeJS.ProcessEnv): CiContext {
  if (env.GITHUB_ACTIONS !== "true" && !env.GITHUB_EVENT_NAME) {
    return { event: "local", sha: null, branch: null, baseBranch: null, prNumber: null, repository: null, siteUrl: null, basePath: null };
  }
  const name = env.GITHUB_EVENT_NAME ?? "";
  const event: CiEvent = name === "pull_request" || name === "pull_request_target" ? "pull_request" : name === "push" ? "push" : "local";
  const payload = readEvent(env.GITHUB_EVENT_PATH);
  const pr = payload.pull_request as { number?: unknown; head?: { sha?: unknown } } | undefined;
  const prNumber = typeof pr?.number === "number" ? pr.number : typeof payload.number === "number" ? payload.number : null;
  const repository = env.GITHUB_REPOSITORY || null;
  const pages = repository ? pagesLocation(repository) : null;
  return {
    event,
    sha: env.GITHUB_SHA || null,
    branch: (event === "pull_request" ? env.GITHUB_HEAD_REF : env.GITHUB_REF_NAME) || env.GITHUB_REF_NAME || null,
    baseBranch: event === "pull_request" ? env.GITHUB_BASE_REF || null : null,
    prNumber: event === "pull_request" ? prNumber : null,
    repository,
    siteUrl: pages?.siteUrl ?? null,
    basePath: pages?.basePath ?? null,
  };
}
