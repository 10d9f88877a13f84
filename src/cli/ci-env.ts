/**
 * What `heaptrail ci` learns from GitHub Actions' environment, through the one reader the ingest
 * uses too (src/content/ci-env.ts); git is asked separately. Outside Actions every field is null
 * and the event is "local".
 */
import { readGithubActions } from "../content/ci-env.ts";

export type CiEvent = "push" | "pull_request" | "local";

export interface CiContext {
  event: CiEvent;
  /** The commit measured: a pull request's head commit, else GITHUB_SHA. */
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

export function ciContext(env: NodeJS.ProcessEnv): CiContext {
  const gh = readGithubActions(env);
  if (gh === null) return { event: "local", sha: null, branch: null, baseBranch: null, prNumber: null, repository: null, siteUrl: null, basePath: null };
  const event: CiEvent = gh.event === "pull_request" ? "pull_request" : gh.event === "push" ? "push" : "local";
  const pages = gh.repository ? pagesLocation(gh.repository) : null;
  return {
    event,
    sha: gh.commit,
    branch: gh.branch,
    baseBranch: event === "pull_request" ? gh.baseBranch : null,
    prNumber: event === "pull_request" ? gh.prNumber : null,
    repository: gh.repository,
    siteUrl: pages?.siteUrl ?? null,
    basePath: pages?.basePath ?? null,
  };
}
