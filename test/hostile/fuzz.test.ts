/**
 * A short fixed-seed run of the project fuzzer (scripts/fuzz.ts; `npm run fuzz` runs long ones):
 * every input ends in a result, a flagged partial result or a CaptureError naming file and offset.
 * Inputs a long run saved (test/data/fuzz-regressions) are replayed by the same child.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runFuzz } from "../../scripts/fuzz.ts";

const outDir = mkdtempSync(join(tmpdir(), "heaptrail-fuzz-test-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it("200 fixed-seed inputs: no crash, no hang, no memory blow-up", async () => {
  const lines: string[] = [];
  const report = await runFuzz({ seed: 8, count: 200, timeS: 45, memoryMb: 1024, timeoutMs: 20_000, outDir, log: (l) => lines.push(l) });
  expect(lines).toEqual([]);
  expect(report.saved).toEqual([]);
  expect(report.crashes + report.hangs + report.memoryBlowUps).toBe(0);
  // Bounded by time on a loaded machine, but never trivially short.
  expect(report.inputs).toBeGreaterThanOrEqual(50);
  expect(report.outcomes["capture-error"]).toBeGreaterThan(0);
  expect(report.outcomes.partial).toBeGreaterThan(0);
}, 120_000);

it("no saved fuzz regression is pending", () => {
  const dir = join(import.meta.dirname, "../data/fuzz-regressions");
  const pending = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".bin")) : [];
  // Each saved input gets a regression test of its own once fixed, and is then removed.
  expect(pending).toEqual([]);
});
