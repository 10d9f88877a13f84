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

  it("is its own merged table while one thread allocates, and makes one with the same ids when a second does", () => {
    const locs = new Locations();
    const first = Array.from({ length: 3000 }, (_, k) => locs.intern(7, k, k % 5, 1, 6));
    expect(first.map((id) => locs.merged[id])).toEqual(first);
    expect(locs.oneThread).toBe(true);
    const view = locs.mergedTable;
    expect(view.count).toBe(3000);
    expect([view.tid[42], view.stackId[42], view.nativeId[42]]).toEqual([0, 42, 2]);
    // A second thread: the same stack shares its merged twin, a new one gets the next id.
    const again = locs.intern(8, 42, 2, 1, 6);
    const fresh = locs.intern(8, 5000, 0, 1, 6);
    expect(locs.oneThread).toBe(false);
    expect(again).toBe(3000);
    expect(locs.merged[again]).toBe(42);
    expect(locs.merged[fresh]).toBe(3000);
    expect(first.every((id) => locs.merged[id] === id)).toBe(true);
    const table = locs.mergedTable;
    expect(table.count).toBe(3001);
    expect([table.tid[3000], table.stackId[3000], table.stackId[42]]).toEqual([0, 5000, 42]);
  });
});
