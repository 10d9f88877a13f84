// The one-pass collector on hand-made record streams: the peak state rebuilt from the undo
// log, missed frees, mmap pieces, temporary thresholds and ties.
import { describe, expect, it } from "vitest";
import { AllocationCollector } from "../../src/analysis/allocation-collector.ts";
import { groupRows, type SnapshotGroups } from "../../src/analysis/snapshots.ts";
import { Allocator } from "../../src/reader/index.ts";

const { MALLOC, FREE, MMAP, MUNMAP } = Allocator;
type Rec = [tid: number, address: number, size: number, allocator: number, stack: number];

function run(records: Rec[], threshold = 1) {
  const c = new AllocationCollector({ temporaryAllocationThreshold: threshold });
  for (const [tid, address, size, allocator, stack] of records) c.allocation(tid, address, size, allocator, stack, 0, 0);
  return c.finish();
}
const bySize = (groups: SnapshotGroups) => groupRows(groups).map((g) => [g.stackId, g.sizeBytes, g.nAllocations]).sort((a, b) => a[0]! - b[0]!);

describe("AllocationCollector", () => {
  it("rebuilds the high-water mark from the undo log, not the end state", () => {
    const s = run([
      [1, 0x1000, 100, MALLOC, 1],
      [1, 0x2000, 200, MALLOC, 2],
      [1, 0x1000, 0, FREE, 0],
      [1, 0x3000, 50, MALLOC, 3],
      [1, 0x1000, 10, MALLOC, 4], // reuses a freed address after the peak
    ]);
    expect(s.peakMemoryBytes).toBe(300);
    expect(bySize(s.highWaterMark)).toEqual([[1, 100, 1], [2, 200, 1]]);
    expect(bySize(s.leaks)).toEqual([[2, 200, 1], [3, 50, 1], [4, 10, 1]]);
    expect(s.leakedBytes).toBe(260);
  });

  it("keeps a missed free's bytes in the peak but not in the snapshot", () => {
    const s = run([
      [1, 0x1000, 100, MALLOC, 1],
      [1, 0x1000, 50, MALLOC, 2],
    ]);
    expect(s.peakMemoryBytes).toBe(150);
    expect(bySize(s.highWaterMark)).toEqual([[2, 50, 1]]);
  });

  it("gives ties to the latest record", () => {
    const s = run([
      [1, 0x1000, 100, MALLOC, 1],
      [1, 0x1000, 0, FREE, 0],
      [1, 0x2000, 100, MALLOC, 2],
    ]);
    expect(bySize(s.highWaterMark)).toEqual([[2, 100, 1]]);
    expect(s.peakSeq).toBe(2);
  });

  it("counts each piece of a split mmap, and restores the range list at the peak", () => {
    const s = run([
      [1, 0x10000, 3000, MMAP, 1],
      [1, 0x10000 + 1000, 1000, MUNMAP, 0],
    ]);
    expect(bySize(s.highWaterMark)).toEqual([[1, 3000, 1]]);
    expect(bySize(s.leaks)).toEqual([[1, 2000, 2]]);
  });

  it("finds temporary allocations within N allocations on the same thread", () => {
    const records: Rec[] = [
      [1, 0x1000, 10, MALLOC, 1],
      [1, 0x2000, 20, MALLOC, 2],
      [2, 0x3000, 30, MALLOC, 3], // another thread does not count
      [1, 0x1000, 0, FREE, 0], // one allocation in between on thread 1
    ];
    expect(bySize(run(records, 0).temporary)).toEqual([]);
    expect(bySize(run(records, 1).temporary)).toEqual([[1, 10, 1]]);
  });

  it("splits groups by thread only when asked", () => {
    const s = run([
      [1, 0x1000, 10, MALLOC, 7],
      [2, 0x2000, 20, MALLOC, 7],
    ]);
    expect(bySize(s.highWaterMark)).toEqual([[7, 30, 2]]);
    expect(groupRows(s.highWaterMarkByThread).map((g) => [g.tid, g.sizeBytes])).toEqual([[1, 10], [2, 20]]);
  });

  it("keeps memory bounded by live allocations over a long churn after the peak", () => {
    // The same churn, 2 000 and 200 000 times: what the collector holds must not grow with it.
    const churn = (rounds: number) => {
      const c = new AllocationCollector();
      c.allocation(1, 8, 1_000_000, MALLOC, 1, 0, 0);
      c.allocation(1, 8, 0, FREE, 0, 0, 0);
      for (let i = 0; i < rounds; i++) {
        c.allocation(1, 0x100000 + (i % 64) * 16, 16, MALLOC, 2, 0, 0);
        c.allocation(1, 0x100000 + (i % 64) * 16, 0, FREE, 0, 0, 0);
      }
      return { retained: c.retained, snapshots: c.finish() };
    };
    const short = churn(2_000);
    const long = churn(200_000);
    expect(long.retained).toEqual(short.retained);
    expect(long.retained.peakLogEntries).toBe(1); // the peak's one allocation, freed since
    expect(long.retained.liveSlots).toBeLessThanOrEqual(4096);
    const s = long.snapshots;
    expect(s.peakMemoryBytes).toBe(1_000_000);
    expect(bySize(s.highWaterMark)).toEqual([[1, 1_000_000, 1]]);
    expect(groupRows(s.temporary).reduce((n, g) => n + g.nAllocations, 0)).toBe(200_001);
  });
});
