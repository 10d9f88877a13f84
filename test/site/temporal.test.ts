/**
 * The temporal view's sums on the decoded columns: the same figures as the analysis stage's
 * temporalNodeTotals, and over the whole run the same picture as the peak view once memray's
 * own frames are hidden (as "Hide irrelevant frames" does).
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import { temporalNodeTotals } from "../../src/analysis/temporal-range.ts";
import { decodeTemporal, decodeTree, encodeTemporal, encodeTree, type TreeData } from "../../src/content/columnar.ts";
import { buildFlameData, frameName, type FlameDatum, type FlameFilter } from "../../src/site/flame.ts";
import { valuesForRange } from "../../src/site/temporal.ts";
import { DATA_DIR } from "../helpers/fixtures.ts";

// complete.pyalloc: its heap is highest at a sample, so memray's temporal high-water mark is the peak
// (a run that ends still rising peaks after its last sample: memray's temporal view misses that).
const analysis = analyzeCapture(join(DATA_DIR, "memray", "1.18.0", "complete.pyalloc.bin"));
const skipped = analysis.header.skippedFramesOnMainTid;
const times = analysis.memory.map((m) => m.timeMs);
const hwm = decodeTemporal(encodeTemporal(analysis.temporal!.highWaterMark, "highWaterMark", 0, skipped));
const leaks = decodeTemporal(encodeTemporal(analysis.temporal!.leaks, "leaks", 0, skipped));

/** Every drawn frame as its path of names, with its bytes. */
function picture(tree: TreeData, d: FlameDatum, prefix = "", out = new Map<string, number>()): Map<string, number> {
  const path = d.idx === 0 ? "" : `${prefix}/${frameName(tree, d.idx)}`;
  out.set(path, (out.get(path) ?? 0) + d.value);
  for (const c of d.children) picture(tree, c, path, out);
  return out;
}

describe("valuesForRange", () => {
  test("equals the analysis stage's temporalNodeTotals on every range and node", () => {
    const t0 = times[0]!;
    const tEnd = times[times.length - 1]!;
    const ranges: Array<[number, number]> = [
      [t0, tEnd],
      [t0 + 5, tEnd],
      [t0, t0 + 12],
      [t0 + 15, t0 + 25],
      [tEnd + 100, tEnd + 200],
    ];
    for (const data of [hwm, leaks]) {
      const intervals = Array.from(data.node, (node, k) => {
        const d = data.deallocatedBefore[k]!;
        return [data.allocatedBefore[k]!, d < 0 ? null : d, node, data.nAllocations[k]!, data.nBytes[k]!] as const;
      });
      for (const [a, b] of ranges) {
        const expected = temporalNodeTotals(data.mode, times, data.highWaterMarkBySnapshot, intervals, Array.from(data.tree.parent), a, b);
        const got = valuesForRange(data, times, a, b);
        expect(Array.from(got.valueBytes), `${data.mode} ${a - t0}-${b - t0}`).toEqual(expected.nodeBytes);
        expect(Array.from(got.nAllocations)).toEqual(expected.nodeAllocations);
        expect(got.snapshot).toBe(expected.peakSnapshot ?? -1);
      }
    }
  });

  test("over the whole run, the high-water mark is the peak view, memray's frames hidden", () => {
    expect(skipped).toBeGreaterThan(0);
    const range = valuesForRange(hwm, times, times[0]!, times[times.length - 1]!);
    const filter: FlameFilter = { hideUninteresting: true, hideImports: false, thread: "" };
    const temporal = picture(hwm.tree, buildFlameData(hwm.tree, { ...filter, valueBytes: range.valueBytes, nAllocations: range.nAllocations }));
    const peakTree = decodeTree(encodeTree(analysis.flame.peak!, { minFrameFraction: 0 }));
    const peak = picture(peakTree, buildFlameData(peakTree, filter));
    expect(temporal).toEqual(peak);
    // memray's launcher (_run_tracker) is hidden in both, its bytes in the root.
    expect([...temporal.keys()].some((k) => k.includes("memray/commands"))).toBe(false);
    expect([...temporal.keys()].some((k) => k.includes("_run_with_file_output"))).toBe(false);
  });

  test("with irrelevant frames shown, the temporal view keeps memray's frames, as memray's own page does", () => {
    const range = valuesForRange(hwm, times, times[0]!, times[times.length - 1]!);
    const shown = picture(hwm.tree, buildFlameData(hwm.tree, { hideUninteresting: false, hideImports: false, thread: "", valueBytes: range.valueBytes, nAllocations: range.nAllocations }));
    expect([...shown.keys()].some((k) => k.includes("_run_with_file_output"))).toBe(true);
    expect([...shown.keys()].some((k) => k.includes("_run_tracker"))).toBe(true);
  });
});
