// The temporal leak histogram against a plain reference (a Map per location), on enough
// locations and snapshot pairs that its bucket table (of one snapshot's buckets) grows several
// times, and is reused by many snapshots.
import { describe, expect, it } from "vitest";
import { LIVE_STRIDE } from "../../src/analysis/livetable.ts";
import { Locations } from "../../src/analysis/locations.ts";
import { TemporalLeaks } from "../../src/analysis/temporal-leaks.ts";
import { groupRows, intervalsOf, TemporalBuilder } from "../../src/analysis/snapshots.ts";
import { SnapshotClock } from "../../src/analysis/temporal-peaks.ts";
import { seededRandom } from "../helpers/random.ts";

describe("TemporalLeaks", () => {
  it("sums what went away per (location, made in, gone before) as a Map per location would", () => {
    const rand = seededRandom(7);
    const locs = new Locations();
    const ids = Array.from({ length: 3000 }, (_, k) => locs.intern(0, k + 1, 0, 0, 6)).map((id) => locs.merged[id]!);
    const clock = new SnapshotClock();
    const leaks = new TemporalLeaks(clock);
    const reference = new Map<number, Map<string, [number, number]>>();
    for (let boundary = 1; boundary <= 40; boundary++) {
      clock.applied(boundary * 1000);
      // Most snapshots see a few hundred buckets; two see several thousand.
      const frees = boundary === 3 || boundary === 30 ? 12_000 : 500;
      for (let k = 0; k < frees; k++) {
        const merged = ids[Math.floor(rand() * ids.length)]!;
        const gen = Math.floor(rand() * boundary);
        const bytes = 1 + Math.floor(rand() * 100);
        leaks.dealloc(merged, 1, bytes, gen);
        let m = reference.get(merged);
        if (!m) reference.set(merged, (m = new Map()));
        const key = `${gen},${boundary}`;
        const sum = m.get(key) ?? [0, 0];
        m.set(key, [sum[0] + 1, sum[1] + bytes]);
      }
      // Freed in the generation it was made in: not a temporal leak interval.
      leaks.dealloc(ids[0]!, 1, 5, boundary);
    }
    const live = new Float64Array(LIVE_STRIDE).fill(-1);
    const set = leaks.finish(locs, live, []);
    const ours = groupRows(set.records).flatMap((r, k) => intervalsOf(set, k).map((i) => `${r.stackId}:${i.join(",")}`)).sort();
    const theirs = [...reference].flatMap(([merged, m]) =>
      [...m].map(([key, [count, bytes]]) => `${locs.mergedTable.stackId[merged]}:${key},${count},${bytes}`),
    ).sort();
    expect(theirs.length).toBeGreaterThan(4096 + 8192); // past several doublings of the bucket table
    expect(ours).toEqual(theirs);
  });
});

describe("TemporalBuilder", () => {
  it("keeps counts past 2^31 exact (its Int32 count column widens)", () => {
    const locs = new Locations();
    const a = locs.merged[locs.intern(1, 1, 0, 0, 6)]!;
    const b = locs.merged[locs.intern(1, 2, 0, 0, 6)]!;
    const builder = new TemporalBuilder("as-added");
    const first = builder.add(b, 0, 2, 2 ** 31 - 1, 10);
    builder.add(a, 0, -1, 7, 20);
    expect(builder.nAllocations).toBeInstanceOf(Int32Array);
    builder.addCount(first, 1);
    expect(builder.nAllocations).toBeInstanceOf(Float64Array);
    builder.add(a, 1, -1, 2 ** 40, 30);
    const set = builder.finish(locs.mergedTable);
    expect(groupRows(set.records).map((r, k) => [r.stackId, ...intervalsOf(set, k)])).toEqual([
      [1, [0, null, 7, 20], [1, null, 2 ** 40, 30]],
      [2, [0, 2, 2 ** 31, 10]],
    ]);
  });

  it("keeps counts past 2^15 exact (an Int16 count column widens to Int32)", () => {
    const locs = new Locations();
    const a = locs.merged[locs.intern(1, 1, 0, 0, 6)]!;
    const builder = new TemporalBuilder("as-added");
    const first = builder.add(a, 0, 2, 30_000, 10);
    builder.add(a, 1, -1, -5, 20);
    expect(builder.nAllocations).toBeInstanceOf(Int16Array);
    builder.addCount(first, 2_768);
    expect(builder.nAllocations).toBeInstanceOf(Int32Array);
    builder.add(a, 2, -1, 100_000, 30);
    const set = builder.finish(locs.mergedTable);
    expect(intervalsOf(set, 0)).toEqual([
      [0, 2, 32_768, 10],
      [1, null, -5, 20],
      [2, null, 100_000, 30],
    ]);
  });

  it("keeps snapshot numbers past 2^15 and byte sums past 2^31 exact (their narrow columns widen)", () => {
    const locs = new Locations();
    const a = locs.merged[locs.intern(1, 1, 0, 0, 6)]!;
    const builder = new TemporalBuilder("as-added");
    const first = builder.add(a, 0, 3, 1, 2 ** 31 - 8);
    expect(builder.allocatedBefore).toBeInstanceOf(Int16Array);
    expect(builder.nBytes).toBeInstanceOf(Int32Array);
    builder.addBytes(first, 16);
    expect(builder.nBytes).toBeInstanceOf(Float64Array);
    builder.add(a, 40_000, -1, 2, 2 ** 40);
    builder.add(a, 5, 70_000, 3, -7);
    expect(builder.allocatedBefore).toBeInstanceOf(Int32Array);
    const set = builder.finish(locs.mergedTable);
    expect(set.deallocatedBefore).toBeInstanceOf(Int32Array);
    expect(intervalsOf(set, 0)).toEqual([
      [0, 3, 1, 2 ** 31 + 8],
      [5, 70_000, 3, -7],
      [40_000, null, 2, 2 ** 40],
    ]);
  });

  it("orders each record's intervals as memray does: allocatedBefore, deallocatedBefore (null first), nBytes, then as added", () => {
    const locs = new Locations();
    const ids = [1, 2, 3].map((stack) => locs.merged[locs.intern(1, stack, 0, 0, 6)]!);
    const builder = new TemporalBuilder("as-added");
    // Deterministic pseudo-random intervals with many ties, so every tie-break is exercised.
    let x = 12345;
    const next = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % m;
    const added: Array<[number, number, number, number, number]> = [];
    for (let i = 0; i < 3000; i++) {
      const loc = ids[next(3)]!;
      const ab = next(6);
      const db = next(4) === 0 ? -1 : ab + next(5);
      const bytes = next(3) * 8;
      builder.add(loc, ab, db, i, bytes);
      added.push([loc, ab, db, i, bytes]);
    }
    const set = builder.finish(locs.mergedTable);
    const got = groupRows(set.records).flatMap((r, k) => intervalsOf(set, k).map(([ab, db, n, bytes]) => [r.stackId, ab, db ?? -1, n, bytes]));
    const stackOf = (loc: number) => locs.mergedTable.stackId[loc]!;
    const expected = added
      .map(([loc, ab, db, n, bytes]) => [stackOf(loc), ab, db, n, bytes])
      .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]! || a[4]! - b[4]! || a[3]! - b[3]!);
    expect(got).toEqual(expected);
  });
});

describe("TemporalBuilder's deallocatedBefore", () => {
  it("next-of-location: each interval's is its location's next allocatedBefore, −1 for the last, as given explicitly", () => {
    const locs = new Locations();
    const ids = [4, 2, 7].map((stack) => locs.merged[locs.intern(1, stack, 0, 0, 6)]!);
    const rand = seededRandom(11);
    const added: Array<[number, number]> = [];
    const nextSnapshot = ids.map(() => 0);
    for (let i = 0; i < 500; i++) {
      const r = Math.floor(rand() * 3);
      added.push([ids[r]!, (nextSnapshot[r]! += 1 + Math.floor(rand() * 40_000))]); // past Int16 too
    }
    const derived = new TemporalBuilder("next-of-location");
    const explicit = new TemporalBuilder("as-added");
    added.forEach(([loc, ab], i) => {
      derived.add(loc, ab, -1, i, 8);
      const later = added.slice(i + 1).find(([other]) => other === loc);
      explicit.add(loc, ab, later ? later[1] : -1, i, 8);
    });
    const rows = (set: ReturnType<TemporalBuilder["finish"]>) => groupRows(set.records).map((row, k) => [row.stackId, intervalsOf(set, k)]);
    const got = rows(derived.finish(locs.mergedTable));
    expect(got).toEqual(rows(explicit.finish(locs.mergedTable)));
    // Each record's last interval is still live, the others end where the next begins.
    for (const [, intervals] of got as Array<[number, Array<[number, number | null]>]>) {
      intervals.forEach(([, db], k) => expect(db).toBe(k + 1 < intervals.length ? intervals[k + 1]![0] : null));
    }
  });
});

describe("TemporalBuilder's record order", () => {
  const keyOrder = (locs: Locations, ids: number[]) => {
    const t = locs.mergedTable;
    return [...ids].sort(
      (a, b) => t.stackId[a]! - t.stackId[b]! || t.nativeId[a]! - t.nativeId[b]! || t.generation[a]! - t.generation[b]! || t.allocator[a]! - t.allocator[b]!,
    );
  };
  const recordsOf = (locs: Locations, stackOf: (k: number) => number) => {
    const rand = seededRandom(5);
    const ids: number[] = [];
    for (let k = 0; k < 2000; k++) {
      ids.push(locs.intern(1, stackOf(k), Math.floor(rand() * 3) * 1000, Math.floor(rand() * 4), 1 + Math.floor(rand() * 3)));
    }
    return ids.map((id) => locs.merged[id]!);
  };

  it("is the locations' key order field by field (stack, native, generation, allocator), by counting passes", () => {
    const locs = new Locations();
    const ids = recordsOf(locs, (k) => 1 + (k % 700)); // repeated stacks: the later fields decide
    const builder = new TemporalBuilder("as-added");
    ids.forEach((loc, k) => builder.add(loc, k % 5, -1, 1, 8));
    expect(Array.from(builder.finish(locs.mergedTable).records.loc)).toEqual(keyOrder(locs, [...new Set(ids)]));
  });

  it("is the same key order when an id's range is too wide to count (a 64-bit stack id)", () => {
    const locs = new Locations();
    const ids = recordsOf(locs, (k) => (k === 3 ? 2 ** 40 : 1 + (k % 700)));
    const builder = new TemporalBuilder("as-added");
    ids.forEach((loc, k) => builder.add(loc, k % 5, -1, 1, 8));
    expect(Array.from(builder.finish(locs.mergedTable).records.loc)).toEqual(keyOrder(locs, [...new Set(ids)]));
  });

  it("orders intervals added in snapshot order per location (the high-water runs) as the general sort does", () => {
    const locs = new Locations();
    const ids = [5, 1, 3].map((stack) => locs.merged[locs.intern(1, stack, 0, 0, 6)]!);
    const rand = seededRandom(9);
    const inOrder = new TemporalBuilder("as-added");
    const general = new TemporalBuilder("as-added");
    const nextSnapshot = ids.map(() => 0);
    for (let i = 0; i < 600; i++) {
      const r = Math.floor(rand() * 3);
      const ab = (nextSnapshot[r]! += 1 + Math.floor(rand() * 3));
      inOrder.add(ids[r]!, ab, -1, i, 8);
      general.add(ids[r]!, ab, -1, i, 8);
    }
    general.add(ids[0]!, 0, -1, 600, 8); // one run out of order: the three-pass sort
    const rows = (set: ReturnType<TemporalBuilder["finish"]>) =>
      groupRows(set.records).map((row, k) => [row.stackId, intervalsOf(set, k).filter(([, , n]) => n !== 600)]);
    const sorted = rows(inOrder.finish(locs.mergedTable));
    expect(sorted.map(([stack]) => stack)).toEqual([1, 3, 5]);
    expect(sorted).toEqual(rows(general.finish(locs.mergedTable)));
  });
});
