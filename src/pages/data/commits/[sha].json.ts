/** Every row of a commit too long for one screen (site/commit-rows.ts), fetched when its page shows all. */
import type { APIRoute } from "astro";
import { urls } from "../../../content/urls.ts";
import { compareLinkOf, getHistory } from "../../../site/history-store.ts";
import { COMMIT_FILE_VERSION, commitFirstScreenRows, commitRowOrder, commitRowView, type CommitFile } from "../../../site/commit-rows.ts";

export async function getStaticPaths() {
  // Only the commits whose page leaves rows out: the others' pages hold every row.
  const history = await getHistory();
  return [...history.byCommit]
    .filter(([, runs]) => runs.length > commitFirstScreenRows(process.env))
    .map(([sha]) => ({ params: { sha: urls.commitData(sha).slice("data/commits/".length, -".json".length) }, props: { sha } }));
}

export const GET: APIRoute = async ({ props }) => {
  const sha = (props as { sha: string }).sha;
  const runs = (await getHistory()).byCommit.get(sha)!;
  const file: CommitFile = { version: COMMIT_FILE_VERSION, commit: sha, rows: commitRowOrder(runs, commitFirstScreenRows(process.env)).map((run) => commitRowView(run, compareLinkOf)) };
  return new Response(JSON.stringify(file), { headers: { "content-type": "application/json" } });
};
