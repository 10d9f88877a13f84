// Long captures: past maxMemoryRecords samples memray keeps every stride-th one, and only those
// are temporal snapshot boundaries. Reading a capture with stride s must therefore give exactly
// what the same capture gives when it only has those samples in the first place.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import { CaptureWriter } from "../helpers/capture-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-stride-"));
afterAll(() => rmSync(dir, { recursive: true }));

/** 25 memory samples between allocations and frees that rise, fall and rise again. */
function churn(keepSample: (index: number) => boolean): string {
  const w = new CaptureWriter();
  w.codeObject(1, "main", "app.py", 1).codeObject(2, "grow", "app.py", 10).codeObject(3, "spike", "app.py", 20);
  w.contextSwitch(1).push(1);
  let sample = 0;
  const memory = () => {
    if (keepSample(sample)) w.memory(50_000_000 + sample * 1000, sample * 10);
    sample++;
  };
  for (let step = 0; step < 24; step++) {
    memory();
    w.push(step % 3 === 0 ? 3 : 2);
    w.allocation(0x100000 + step * 0x1000, 1000 + step * 37);
    if (step % 4 === 3) w.free(0x100000 + (step - 2) * 0x1000); // some die young, some live on
    if (step === 12) for (let k = 0; k < 12; k += 2) w.free(0x100000 + k * 0x1000); // a fall
    w.pop();
  }
  memory();
  w.allocation(0x900000, 5);
  const path = join(dir, `churn-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(path, w.trailer().bytes());
  return path;
}

it("a capture read with stride 3 equals the capture that has only every third sample", () => {
  const full = analyzeCapture(churn(() => true), { maxMemoryRecords: 10 }); // 25 samples → stride 3
  const reduced = analyzeCapture(churn((i) => i % 3 === 0), { maxMemoryRecords: 10 }); // 9 samples
  expect(full.memory).toHaveLength(9);
  expect(full.memory).toEqual(reduced.memory);
  expect(full.temporal!.highWaterMark.highWaterMarkBySnapshot).toEqual(reduced.temporal!.highWaterMark.highWaterMarkBySnapshot);
  expect(full.temporal!.highWaterMark.intervals).toEqual(reduced.temporal!.highWaterMark.intervals);
  expect(full.temporal!.leaks.intervals).toEqual(reduced.temporal!.leaks.intervals);
  // The rest does not depend on samples at all.
  expect(full.peakMemoryBytes).toBe(reduced.peakMemoryBytes);
  // And without the cap, the full capture has finer snapshots: the stride did change something.
  const uncapped = analyzeCapture(churn(() => true));
  expect(uncapped.temporal!.highWaterMark.highWaterMarkBySnapshot!.length).toBeGreaterThan(
    full.temporal!.highWaterMark.highWaterMarkBySnapshot!.length,
  );
});
