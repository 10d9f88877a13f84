// Locations keeps its columns Int32 while values fit and widens one to Float64 when a value does
// not: a wrapped id must never alias a small one, and what was stored before must survive.
import { describe, expect, it } from "vitest";
import { Locations } from "../../src/analysis/locations.ts";

describe("Locations", () => {
  it("widens a column for ids of 2^31 and more without aliasing", () => {
    const locs = new Locations();
    const small = Array.from({ length: 600 }, (_, k) => locs.intern(1 + (k % 3), k, k % 7, k % 2, 6));
    const big = [2 ** 31 + 5, 2 ** 32 + 5, 2 ** 53 - 1];
    const keys = big.flatMap((v) => [
      [v, 5, 0, 0],
      [1, v, 0, 0],
      [1, 5, v, 0],
      [1, 5, 0, v],
    ]);
    const ids = keys.map(([tid, stackId, nativeId, generation]) => locs.intern(tid!, stackId!, nativeId!, generation!, 6));
    expect(new Set([...small, ...ids]).size).toBe(small.length + ids.length);
    keys.forEach(([tid, stackId, nativeId, generation], i) => {
      expect(locs.intern(tid!, stackId!, nativeId!, generation!, 6)).toBe(ids[i]);
      const id = ids[i]!;
      expect([locs.tid[id], locs.stackId[id], locs.nativeId[id], locs.generation[id]]).toEqual([tid, stackId, nativeId, generation]);
      const m = locs.merged[id]!;
      expect([locs.mergedTable.tid[m], locs.mergedTable.stackId[m], locs.mergedTable.nativeId[m]]).toEqual([0, stackId, nativeId]);
    });
    small.forEach((id, k) => {
      expect(locs.intern(1 + (k % 3), k, k % 7, k % 2, 6)).toBe(id);
      expect([locs.tid[id], locs.stackId[id], locs.nativeId[id], locs.generation[id]]).toEqual([1 + (k % 3), k, k % 7, k % 2]);
    });
    expect([locs.tid, locs.stackId, locs.nativeId, locs.generation].every((c) => c instanceof Float64Array)).toBe(true);
  });

  it("keeps Int32 columns while every value fits", () => {
    const locs = new Locations();
    for (let k = 0; k < 5000; k++) locs.intern(1 + (k % 4), k, k, 1, 6);
    expect([locs.tid, locs.stackId, locs.nativeId, locs.generation].every((c) => c instanceof Int32Array)).toBe(true);
  });
});
