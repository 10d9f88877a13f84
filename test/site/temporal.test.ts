/**
 * The temporal view's sums on the decoded columns: over the whole run the peak and the bytes
 * left, an earlier range its own lower peak, and the same picture as the peak view once memray's
 * own frames are hidden (as "Hide irrelevant frames" does).
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import { decodeTemporal, decodeTree, encodeTemporal, encodeTree, type TreeData } from "../../src/content/columnar.ts";
import { buildFlameData, frameName, type FlameDatum, type FlameFilter } from "../../src/site/flame.ts";
import { valuesForRange } from "../../src/site/temporal.ts";
import { DATA_DIR } from "../helpers/fixtures.ts";

// complete.pyalloc: its heap is highest at a sample, so memray's temporal high-water mark is the peak
// (a run that ends still rising peaks after its last sample: memray's temporal view misses that).
const analysis = analyzeCapture(join(DATA_DIR, "memray", "1.18.0", "complete.pyalloc.bin"));
const skipped = analysis.header.skippedFramesOnMainTid;
const times = analysis.memory.map((m) => m.timeMs);
const hwm = decodeTemporal(encodeTemporal(analysis.temporal!.highWaterMark, "highWaterMark", 0));

/** Every drawn frame as its path of names, with its bytes. */
function picture(tree: TreeData, d: FlameDatum, prefix = "", out = new Map<string, number>()): Map<string, number> {
  const path = d.idx === 0 ? "" : `${prefix}/${frameName(tree, d.idx)}`;
  out.set(path, (out.get(path) ?? 0) + d.value);
  for (const c of d.children) picture(tree, c, path, out);
  return out;
}

describe("valuesForRange", () => {
  test("over the whole run: the high-water mark is the peak, leaks mode the bytes left", () => {
    const run = analyzeCapture(join(DATA_DIR, "memray", "1.20.0", "temporal.default.bin"));
    const t = run.memory.map((m) => m.timeMs);
    const h = decodeTemporal(encodeTemporal(run.temporal!.highWaterMark, "highWaterMark", 0));
    const all = valuesForRange(h, t, -Infinity, Infinity);
    expect(all.valueBytes[0]).toBe(Math.max(...h.highWaterMarkBySnapshot!));
    expect(all.valueBytes[0]).toBe(run.peakMemoryBytes);
    const l = decodeTemporal(encodeTemporal(run.temporal!.leaks, "leaks", 0));
    expect(valuesForRange(l, t, -Infinity, Infinity).valueBytes[0]).toBe(run.leakedBytes);
    // A range before the global peak finds the earlier, lower peak.
    const series = h.highWaterMarkBySnapshot!;
    const peakAt = series.indexOf(Math.max(...series));
    const early = valuesForRange(h, t, t[0]!, t[Math.max(0, peakAt - 3)]!);
    expect(early.valueBytes[0]).toBeLessThan(run.peakMemoryBytes);
    expect(early.valueBytes[0]).toBe(series[early.snapshot]);
    // Figures add up the tree: a node holds at most what its parent holds.
    for (let i = 1; i < h.tree.size; i++) expect(all.valueBytes[i]).toBeLessThanOrEqual(all.valueBytes[h.tree.parent[i]!]!);
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
