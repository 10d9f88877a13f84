import { describe, expect, it } from "vitest";
import { computeStats, memrayStatsJson, pythonDatetime, statsText } from "../../src/cli/stats.ts";
import { detailedFixtures, memrayFixtures, readJson } from "../helpers/fixtures.ts";

/** Equal ordering is memray's hash order for tied counts: compare tied groups as sets. */
function sortTies<T extends Record<string, unknown>>(list: T[], key: keyof T): T[] {
  return [...list].sort((a, b) => Number(b[key]) - Number(a[key]) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe("heaptrail stats --json equals memray stats --json", () => {
  for (const fixture of memrayFixtures()) {
    const expectedPath = fixture.output("stats");
    if (expectedPath === null) continue;
    it(fixture.id, () => {
      const want = readJson(expectedPath);
      const got = memrayStatsJson(computeStats(fixture.capturePath)) as Record<string, any>;
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      expect(got.metadata).toEqual(want.metadata);
      expect(got.total_num_allocations).toBe(want.total_num_allocations);
      expect(got.total_bytes_allocated).toBe(want.total_bytes_allocated);
      expect(got.allocation_size_histogram).toEqual(want.allocation_size_histogram);
      expect(got.allocator_type_distribution).toEqual(want.allocator_type_distribution);
      expect(Object.keys(got.allocator_type_distribution).map((k) => got.allocator_type_distribution[k]))
        .toEqual(Object.keys(want.allocator_type_distribution).map((k) => want.allocator_type_distribution[k]));
      expect(got.top_allocations_by_size).toEqual(want.top_allocations_by_size);
      expect(got.top_allocations_by_count).toEqual(want.top_allocations_by_count);
      if (want.top_modules_by_allocation_size) {
        expect(sortTies(got.top_modules_by_allocation_size, "total_bytes")).toEqual(sortTies(want.top_modules_by_allocation_size, "total_bytes"));
        expect(sortTies(got.top_modules_by_allocation_count, "num_allocations")).toEqual(sortTies(want.top_modules_by_allocation_count, "num_allocations"));
      }
    });
  }
});

describe("stats of the detailed fixtures equal memray's compute_statistics", () => {
  for (const fixture of detailedFixtures()) {
    if (fixture.expected.metadata.file_format === 1) continue;
    it(fixture.name, () => {
      const want = fixture.expected.stats;
      const { stats } = computeStats(fixture.capturePath);
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

describe("aggregated captures", () => {
  it("give peak and leaks, and say what is missing", () => {
    const fixture = memrayFixtures().find((f) => f.id === "1.20.0/complete.aggregate")!;
    const run = computeStats(fixture.capturePath);
    const catalog = readJson(fixture.capturePath.replace(/[^/]+$/, "catalog.json")) as any[];
    expect(run.stats).toBeNull();
    expect(run.peakMemoryBytes).toBe(catalog.find((c) => c.file === "complete.aggregate.bin").peak_memory);
    expect(statsText("x.bin", run)).toMatch(/not available/);
  });
});

it("formats times as Python's str(datetime)", () => {
  expect(pythonDatetime(1795319761441)).toBe("2026-11-22 03:56:01.441000+00:00");
  expect(pythonDatetime(1795319761000)).toBe("2026-11-22 03:56:01+00:00");
});

describe("through the worker-thread reader, stats still equal memray's", () => {
  // Small files normally stay on one thread; force the worker for every fixture.
  for (const fixture of memrayFixtures()) {
    const expectedPath = fixture.output("stats");
    if (expectedPath === null) continue;
    it(fixture.id, () => {
      const got = memrayStatsJson(computeStats(fixture.capturePath, 5, { parallelFromBytes: 0 })) as Record<string, any>;
      const want = readJson(expectedPath);
      expect(got.metadata).toEqual(want.metadata);
      expect(got.allocation_size_histogram).toEqual(want.allocation_size_histogram);
      expect(got.top_allocations_by_size).toEqual(want.top_allocations_by_size);
      expect(got.top_allocations_by_count).toEqual(want.top_allocations_by_count);
    });
  }
});

it("stats and the analysis agree on an aggregated capture's peak and leaks", async () => {
  const { analyzeCapture } = await import("../../src/analysis/analyze.ts");
  for (const fixture of memrayFixtures().filter((f) => f.aggregated)) {
    const run = computeStats(fixture.capturePath);
    const analysis = analyzeCapture(fixture.capturePath);
    expect(run.peakMemoryBytes).toBe(analysis.peakMemoryBytes);
    expect(run.leakedBytes).toBe(analysis.leakedBytes);
  }
});
