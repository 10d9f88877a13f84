/** A group's tests (suites.ts's SuiteTestView), fetched when the index expands the group or its page shows all. */
import type { APIRoute } from "astro";
import { benchmarkSlug } from "../../../content/urls.ts";
import { getSuite } from "../../../site/suite-store.ts";
import { groupTests, SUITE_FILE_VERSION, testView, type GroupFile } from "../../../site/suites.ts";

export async function getStaticPaths() {
  return (await getSuite()).groups.map((g) => ({ params: { slug: benchmarkSlug(g.name) }, props: { name: g.name } }));
}

export const GET: APIRoute = async ({ props }) => {
  const name = (props as { name: string }).name;
  const file: GroupFile = { version: SUITE_FILE_VERSION, group: name, tests: groupTests((await getSuite()).tests, name).map(testView) };
  return new Response(JSON.stringify(file), { headers: { "content-type": "application/json" } });
};
