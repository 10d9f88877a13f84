/** The picker's data: per benchmark, every successful run (entries without their stats tables). */
import type { APIRoute, GetStaticPaths } from "astro";
import { getCollection } from "astro:content";
import { compareRun, type CompareRunsFile } from "../../../content/compare.ts";
import type { OkRunEntry } from "../../../content/schema.ts";
import { benchmarkSlug } from "../../../content/urls.ts";

export const getStaticPaths: GetStaticPaths = async () => {
  const runs = (await getCollection("runs")).map((e) => e.data).filter((r): r is OkRunEntry => r.status === "ok");
  const by = new Map<string, OkRunEntry[]>();
  for (const r of runs) by.set(r.benchmark, [...(by.get(r.benchmark) ?? []), r]);
  return [...by].map(([benchmark, list]) => ({
    params: { slug: benchmarkSlug(benchmark) },
    props: { file: { benchmark, runs: list.sort((a, b) => a.timeMs - b.timeMs || a.id.localeCompare(b.id)).map(compareRun) } satisfies CompareRunsFile },
  }));
};

export const GET: APIRoute = ({ props }) => new Response(JSON.stringify(props.file), { headers: { "content-type": "application/json" } });
