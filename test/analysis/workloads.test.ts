/**
 * heaptrail against memray on captures of one's own, such as the real workloads of
 * bench/workloads/: every capture in HEAPTRAIL_WORKLOADS_DIR, through the same checkers as the
 * fixtures (trees path by path with native frames symbolized, stats key by key), with memray's
 * results made on the spot by MEMRAY. Skipped unless both are set:
 *
 *   MEMRAY=$(command -v memray) HEAPTRAIL_WORKLOADS_DIR=DIR NODE_OPTIONS=--max-old-space-size=16000 \
 *     npx vitest run test/analysis/workloads.test.ts
 *
 * (A 46 MB sympy capture's inverted graph is ~110 MB of memray data, compared path by path.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { collectStats } from "../../src/analysis/collect-stats.ts";
import { memrayStatsJson } from "../../src/cli/stats.ts";
import { checkFlameGolden, expectMemrayStatsJson, type FlameVariant } from "./golden.ts";

const dir = process.env.HEAPTRAIL_WORKLOADS_DIR;
const memray = process.env.MEMRAY;
const scratch = mkdtempSync(join(tmpdir(), "heaptrail-workloads-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FLAGS: Array<[FlameVariant, string[]]> = [
  ["default", []],
  ["leaks", ["--leaks"]],
  ["temporary-allocations", ["--temporary-allocations"]],
  ["inverted", ["--inverted"]],
];

/** memray's flame graph data for one variant, as the fixtures keep it (the HTML's four constants). */
function memrayGolden(capture: string, variant: FlameVariant, flags: string[]): string {
  const html = join(scratch, "graph.html");
  execFileSync(memray!, ["flamegraph", ...flags, "-f", "-o", html, capture], { stdio: "ignore" });
  const text = readFileSync(html, "utf8");
  const constant = (name: string): unknown => {
    const line = text.split("\n").find((l) => l.trimStart().startsWith(`const ${name} = `));
    if (line === undefined) throw new Error(`${capture}: memray's graph has no ${name}`);
    return JSON.parse(line.slice(line.indexOf("=") + 1).trim().replace(/;$/, ""));
  };
  const golden = join(scratch, `${variant}.json`);
  const data = Object.fromEntries(["packed_data", "merge_threads", "memory_records", "inverted"].map((n) => [n, constant(n)]));
  writeFileSync(golden, JSON.stringify(data));
  return golden;
}

describe.skipIf(dir === undefined || memray === undefined)("heaptrail equals memray on the workloads in HEAPTRAIL_WORKLOADS_DIR", () => {
  const captures = dir === undefined ? [] : readdirSync(dir).filter((f) => f.endsWith(".bin")).sort();
  for (const name of captures) {
    const capture = join(dir!, name);
    for (const [variant, flags] of FLAGS) {
      it(`${name} ${variant}`, () => checkFlameGolden(capture, memrayGolden(capture, variant, flags), variant, true), 1_800_000);
    }
    it(`${name} stats --json`, () => {
      const out = join(scratch, "stats.json");
      execFileSync(memray!, ["stats", "--json", "-f", "-o", out, capture], { stdio: "ignore" });
      expectMemrayStatsJson(memrayStatsJson(collectStats(capture)), JSON.parse(readFileSync(out, "utf8")));
    }, 600_000);
  }
});
