/**
 * The one checker holding `memray stats` figures to memray's own outputs, over both ways the
 * analysis computes them: `collectStats` (heaptrail stats) and `analyzeCapture` (the site).
 */
import { describe, expect, it } from "vitest";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import { collectStats, type StatsRun } from "../../src/analysis/collect-stats.ts";
import type { ReadOptions } from "../../src/reader/index.ts";
import { memrayStatsJson } from "../../src/cli/stats.ts";
import { detailedFixtures, memrayFixtures, readJson } from "../helpers/fixtures.ts";
import { expectMemrayStatsJson } from "./golden.ts";

const PATHS: Record<string, (path: string, read?: ReadOptions) => StatsRun> = {
  "heaptrail stats (collectStats)": (path, read) => collectStats(path, { read }),
  "the site's analysis (analyzeCapture)": (path, read) => analyzeCapture(path, { read }),
};

for (const [name, run] of Object.entries(PATHS)) {
  describe(`${name}: stats --json equals memray stats --json`, () => {
    for (const fixture of memrayFixtures()) {
      const expectedPath = fixture.output("stats");
      if (expectedPath === null) continue;
      it(fixture.id, () => expectMemrayStatsJson(memrayStatsJson(run(fixture.capturePath)), readJson(expectedPath)));
    }
  });

  describe(`${name}: stats of the detailed fixtures equal memray's compute_statistics`, () => {
    for (const fixture of detailedFixtures()) {
      if (fixture.expected.metadata.file_format === 1) continue;
      it(fixture.name, () => {
        const want = fixture.expected.stats;
        const { stats } = run(fixture.capturePath);
        expect(stats!.totalNumAllocations).toBe(want.total_num_allocations);
        expect(stats!.totalBytesAllocated).toBe(want.total_memory_allocated);
        expect(stats!.peakMemoryBytes).toBe(want.peak_memory_allocated);
        const label = (fn: string, file: string, line: number) => (fn === "<unknown>" ? "<stack trace unavailable>" : `${fn}:${file}:${line}`);
        const bySize = want.top_locations_by_size.map(([[fn, file, line], size]: any) => ({ location: label(fn, file, line), sizeBytes: size }));
        const byCount = want.top_locations_by_count.map(([[fn, file, line], count]: any) => ({ location: label(fn, file, line), count }));
        expect(stats!.topAllocationsBySize).toEqual(bySize);
        expect(stats!.topAllocationsByCount).toEqual(byCount);
      });
    }
  });

  it(`${name}: an aggregated capture's peak is memray's`, () => {
    const fixture = memrayFixtures().find((f) => f.id === "1.20.0/complete.aggregate")!;
    const catalog = readJson(fixture.capturePath.replace(/[^/]+$/, "catalog.json")) as any[];
    const got = run(fixture.capturePath);
    expect(got.stats).toBeNull();
    expect(got.peakMemoryBytes).toBe(catalog.find((c) => c.file === "complete.aggregate.bin").peak_memory);
  });
}

describe("through the worker-thread reader, stats still equal memray's", () => {
  // Small files normally stay on one thread; force the worker for every fixture.
  for (const fixture of memrayFixtures()) {
    const expectedPath = fixture.output("stats");
    if (expectedPath === null) continue;
    it(fixture.id, () => {
      const got = memrayStatsJson(collectStats(fixture.capturePath, { read: { parallelFromBytes: 0 } })) as Record<string, any>;
      const want = readJson(expectedPath);
      expect(got.metadata).toEqual(want.metadata);
      expect(got.allocation_size_histogram).toEqual(want.allocation_size_histogram);
      expect(got.top_allocations_by_size).toEqual(want.top_allocations_by_size);
      expect(got.top_allocations_by_count).toEqual(want.top_allocations_by_count);
    });
  }
});

it("both paths agree on an aggregated capture's peak and leaks", () => {
  for (const fixture of memrayFixtures().filter((f) => f.aggregated)) {
    const run = collectStats(fixture.capturePath);
    const analysis = analyzeCapture(fixture.capturePath);
    expect(run.peakMemoryBytes).toBe(analysis.peakMemoryBytes);
    expect(run.leakedBytes).toBe(analysis.leakedBytes);
  }
});
