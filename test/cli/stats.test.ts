import { expect, it } from "vitest";
import { computeStats, pythonDatetime, statsText } from "../../src/cli/stats.ts";
import { memrayFixtures } from "../helpers/fixtures.ts";

// The figures are held to memray's by test/analysis/stats.test.ts; here, what the command adds.

it("says what an aggregated capture lacks", () => {
  const fixture = memrayFixtures().find((f) => f.id === "1.20.0/complete.aggregate")!;
  const run = computeStats(fixture.capturePath);
  expect(run.stats).toBeNull();
  expect(statsText("x.bin", run)).toMatch(/not available/);
});

it("formats times as Python's str(datetime)", () => {
  expect(pythonDatetime(1795319761441)).toBe("2026-11-22 03:56:01.441000+00:00");
  expect(pythonDatetime(1795319761000)).toBe("2026-11-22 03:56:01+00:00");
});
