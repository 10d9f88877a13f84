/** Every group and every grouped test's name, for the index's filter (fetched on first use). */
import type { APIRoute } from "astro";
import { getSuite } from "../../site/suite-store.ts";
import { groupView, SUITE_FILE_VERSION, type SuiteIndexFile } from "../../site/suites.ts";

export const GET: APIRoute = async () => {
  const { groups, tests } = await getSuite();
  const at = new Map(groups.map((g, i) => [g.name, i]));
  const file: SuiteIndexFile = { version: SUITE_FILE_VERSION, groups: groups.map(groupView), tests: tests.map((t) => [t.name, at.get(t.group)!]) };
  return new Response(JSON.stringify(file), { headers: { "content-type": "application/json" } });
};
