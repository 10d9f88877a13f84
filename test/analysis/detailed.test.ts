// memray's FileReader view of the detailed workloads: snapshot groups, temporal intervals and
// the memory timeline must equal memray's, compared as multisets (v11/v12 list in hash order).
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { collectCapture } from "../../src/analysis/collect.ts";
import { groupRows, intervalsOf, type SnapshotGroups, type TemporalSet } from "../../src/analysis/snapshots.ts";
import { memorySamples } from "../../src/analysis/memory.ts";
import { V11_ALLOCATORS } from "../../src/reader/index.ts";
import { DETAILED_DIR, readJson } from "../helpers/fixtures.ts";

interface ExpectedGroup {
  tid: number;
  size: number;
  n_allocations: number;
  allocator: number;
  stack_id: number;
  native_stack_id: number;
}
interface ExpectedTemporal {
  tid: number;
  allocator: number;
  stack_id: number;
  native_stack_id: number;
  intervals: Array<[number, number | null, number, number]>;
}

function groupKeys(groups: Array<{ stack: number; native: number; tid: number; size: number; n: number }>, mergeThreads: boolean): string[] {
  return groups.map((g) => `${g.stack}/${g.native}/${mergeThreads ? "-" : g.tid}: ${g.size} B × ${g.n}`).sort();
}
const ours = (groups: SnapshotGroups, merged: boolean) =>
  groupKeys(groupRows(groups).map((g) => ({ stack: g.stackId, native: g.nativeId, tid: g.tid, size: g.sizeBytes, n: g.nAllocations })), merged);
const theirs = (groups: ExpectedGroup[], merged: boolean) =>
  groupKeys(groups.map((g) => ({ stack: g.stack_id, native: g.native_stack_id, tid: g.tid, size: g.size, n: g.n_allocations })), merged);

function temporalKeys(records: Array<{ key: string; intervals: Array<[number, number | null, number, number]> }>): string[] {
  return records.flatMap((r) => r.intervals.map((i) => `${r.key} ${JSON.stringify(i)}`)).sort();
}
const ourTemporal = (set: TemporalSet) =>
  temporalKeys(groupRows(set.records).map((r, i) => ({ key: `${r.tid}/${r.stackId}/${r.nativeId}/${r.allocator}`, intervals: intervalsOf(set, i) })));
// Header 11 files list allocators in memray 1.18's numbering; the reader uses today's.
const theirTemporal = (records: ExpectedTemporal[], version: number) =>
  temporalKeys(
    records.map((r) => {
      const allocator = version === 11 ? V11_ALLOCATORS[r.allocator] : r.allocator;
      return { key: `${r.tid}/${r.stack_id}/${r.native_stack_id}/${allocator}`, intervals: r.intervals };
    }),
  );

const files = readdirSync(DETAILED_DIR).filter((f) => f.endsWith(".expected.json"));

describe("detailed fixtures", () => {
  it("are present", () => expect(files.length).toBeGreaterThanOrEqual(10));
  for (const file of files) {
    const name = file.replace(".expected.json", "");
    it(name, () => {
      const expected = readJson(`${DETAILED_DIR}/${file}`) as Record<string, any>;
      const capture = collectCapture(`${DETAILED_DIR}/${name}.bin`, { temporaryAllocationThreshold: 1 });
      if (capture.aggregated) {
        const agg = capture.aggregated;
        expect(ours(agg.highWaterMark(true), true)).toEqual(theirs(expected.high_watermark_merged, true));
        expect(ours(agg.highWaterMark(false), false)).toEqual(theirs(expected.high_watermark_split, false));
        expect(ours(agg.leaks(true), true)).toEqual(theirs(expected.leaks_merged, true));
        expect(agg.peakMemoryBytes).toBe(expected.metadata.peak_memory);
        expect(memorySamples(agg.memoryTimeMs, agg.memoryRssBytes, agg.memoryHeapBytes, 10_000).map((s) => [s.timeMs, s.rssBytes, s.heapBytes])).toEqual(expected.memory_snapshots);
        return;
      }
      const s = capture.snapshots!;
      expect(s.peakMemoryBytes).toBe(expected.metadata.peak_memory);
      expect(ours(s.highWaterMark, true)).toEqual(theirs(expected.high_watermark_merged, true));
      expect(ours(s.highWaterMarkByThread, false)).toEqual(theirs(expected.high_watermark_split, false));
      expect(ours(s.leaks, true)).toEqual(theirs(expected.leaks_merged, true));
      expect(ours(s.temporary, true)).toEqual(theirs(expected.temporary_threshold_1_merged, true));
      expect(ourTemporal(s.temporalHighWaterMark)).toEqual(theirTemporal(expected.temporal_hwm_merged.records, capture.header.version));
      expect(s.highWaterMarkBySnapshot).toEqual(expected.temporal_hwm_merged.high_water_mark_by_snapshot);
      expect(ourTemporal(s.temporalLeaks)).toEqual(theirTemporal(expected.temporal_leaks_merged, capture.header.version));
      expect(memorySamples(s.memoryTimeMs, s.memoryRssBytes, s.memoryHeapBytes, 10_000).map((m) => [m.timeMs, m.rssBytes, m.heapBytes])).toEqual(expected.memory_snapshots);
    });
  }
});
