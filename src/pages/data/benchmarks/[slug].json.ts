/** The per-benchmark history file (trend, call sites, runs table) the benchmark page fetches. */
import type { APIRoute } from "astro";
import { benchmarkSlug } from "../../../content/urls.ts";
import { getHistory } from "../../../site/history-store.ts";
import { benchmarkFile } from "../../../content/benchmark-file.ts";

export async function getStaticPaths() {
  return (await getHistory()).series.map((t) => ({ params: { slug: benchmarkSlug(t.name) }, props: { name: t.name } }));
}

export const GET: APIRoute = async ({ props }) => {
  const series = (await getHistory()).seriesByName.get((props as { name: string }).name)!;
  return new Response(JSON.stringify(benchmarkFile(series)), { headers: { "content-type": "application/json" } });
};
