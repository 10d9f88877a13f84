/** The per-benchmark history file (trend, call sites, runs table) the benchmark page fetches. */
import type { APIRoute } from "astro";
import { benchmarkSlug } from "../../../content/urls.ts";
import { getHistory } from "../../../site/history-store.ts";
import { benchmarkFile } from "../../../site/history.ts";

export async function getStaticPaths() {
  return (await getHistory()).trends.map((t) => ({ params: { slug: benchmarkSlug(t.name) }, props: { name: t.name } }));
}

export const GET: APIRoute = async ({ props }) => {
  const trend = (await getHistory()).trendByName.get((props as { name: string }).name)!;
  return new Response(JSON.stringify(benchmarkFile(trend)), { headers: { "content-type": "application/json" } });
};
