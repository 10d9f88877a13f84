import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { IngestJob } from "../../src/content/ingest-job.ts";
import { admitNext, estimateAnalysisBytes, runPool, type PoolJob } from "../../src/content/ingest-pool.ts";
import { CaptureWriter } from "../helpers/capture-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-pool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("admission", () => {
  const MB = 1 << 20;
  test("a capture starts only when its estimate fits beside the running ones", () => {
    // 800 MB queued first, 100 MB behind it; 300 MB running in a 1 GB budget: the small one goes.
    expect(admitNext([800 * MB, 100 * MB], 300 * MB, 1, 1024 * MB)).toBe(1);
    expect(admitNext([800 * MB], 300 * MB, 1, 1024 * MB)).toBe(-1);
    expect(admitNext([100 * MB, 100 * MB], 300 * MB, 1, 1024 * MB)).toBe(0);
  });

  test("a capture larger than the whole budget runs alone", () => {
    expect(admitNext([5000 * MB, 10 * MB], 0, 0, 1024 * MB)).toBe(0);
    // While it runs (its estimate alone is past the budget) nothing else starts.
    expect(admitNext([10 * MB], 5000 * MB, 1, 1024 * MB)).toBe(-1);
  });

  test("the estimate grows with the capture", () => {
    expect(estimateAnalysisBytes(55e6)).toBeGreaterThan(2e9); // the 55 MB sympy capture took 2.2 GB
    expect(estimateAnalysisBytes(1e6)).toBeLessThan(estimateAnalysisBytes(2e6));
  });
});

function capture(name: string, seed: number): string {
  const w = new CaptureWriter({ commandLine: "python pool.py" });
  w.codeObject(1, "main", "pool.py", 1).contextSwitch(1).push(1);
  for (let i = 0; i < 50; i++) w.allocation(0x1000 + i * 64, 100 + seed + i);
  w.memory(1_000_000, 10);
  const path = join(dir, name);
  writeFileSync(path, w.trailer().bytes());
  return path;
}

/** Runs three captures on a pool of two workers; the most that ran at once, and the outcomes. */
async function pooled(sizeBytes: number, budgetBytes: number): Promise<{ most: number; outcomes: string[] }> {
  const content = mkdtempSync(join(dir, "content-"));
  const jobs: Array<PoolJob & { job: IngestJob }> = [0, 1, 2].map((i) => ({
    sizeBytes,
    job: { capturePath: capture(`pool-${i}.bin`, i), write: { runId: `run-${i}`, captureHash: String(i).repeat(64), meta: { benchmark: "pool" }, contentDir: content, noSource: true }, symbols: false },
  }));
  let now = 0;
  let most = 0;
  const outcomes: string[] = [];
  await runPool(jobs, {
    size: 2,
    budgetBytes,
    started: () => (most = Math.max(most, ++now)),
    done: (_job, result) => {
      now--;
      outcomes.push(result.outcome);
    },
  });
  return { most, outcomes };
}

describe("the pool", () => {
  test("runs small captures side by side", async () => {
    const { most, outcomes } = await pooled(1000, 64 * 2 ** 30);
    expect(outcomes).toEqual(["written", "written", "written"]);
    expect(most).toBe(2);
  });

  test("admits a capture too large for the budget alone, one after another", async () => {
    const { most, outcomes } = await pooled(2 ** 30, 2 ** 30); // each estimated at 40 GiB
    expect(outcomes).toEqual(["written", "written", "written"]);
    expect(most).toBe(1);
  });
});
