// The one-pass analysis gives the same result whether the capture is decoded on this thread or
// on the worker thread (which large captures use).
import { describe, expect, it } from "vitest";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import { memrayFixtures } from "../helpers/fixtures.ts";

describe("analyzeCapture: worker-thread reading equals single-thread reading", () => {
  const picks = memrayFixtures().filter((f) =>
    ["1.18.0/threads.native", "1.19.3/temporal.default", "1.20.0/leaks.pyalloc", "1.20.0/complete.aggregate"].includes(f.id));
  for (const fixture of picks) {
    it(fixture.id, () => {
      const serial = analyzeCapture(fixture.capturePath, { read: { parallelFromBytes: Infinity } });
      const parallel = analyzeCapture(fixture.capturePath, { read: { parallelFromBytes: 0 } });
      expect(parallel.read.nRecords).toBeGreaterThan(0);
      // Maps (thread names) and the tables' derived views compare through JSON with entries.
      const plain = (a: typeof serial) => JSON.stringify({ ...a, threadNames: [...a.threadNames] });
      expect(plain(parallel)).toBe(plain(serial));
    });
  }
});
