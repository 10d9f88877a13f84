/** Run dates on the index: a run without a known time is "unknown", never the epoch. */
import { expect, test } from "vitest";
import type { RunEntry } from "../../src/content/schema.ts";
import { runDateText, runStartMs, runTimeMs } from "../../src/site/runs.ts";

const failed = { status: "failed", id: "broken", fileName: "broken.bin", meta: {}, error: "bad magic" } as unknown as RunEntry;

test("a failed run without a timestamp has no date (not 1970-01-01)", () => {
  expect(runStartMs(failed)).toBeNull();
  expect(runDateText(failed)).toBe("unknown");
  // It still sorts, first.
  expect(runTimeMs(failed)).toBe(0);
});

test("a meta timestamp dates any run; an ok run falls back to its capture's start", () => {
  expect(runDateText({ ...failed, meta: { timestamp: "2026-11-22T12:34:56Z" } } as RunEntry)).toBe("2026-11-22 12:34");
  const ok = { status: "ok", meta: {}, header: { startTimeMs: Date.UTC(2026, 0, 2, 3, 4) } } as unknown as RunEntry;
  expect(runDateText(ok)).toBe("2026-01-02 03:04");
});
