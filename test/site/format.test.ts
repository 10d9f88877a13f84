import { expect, it } from "vitest";
import { formatBytes, treeShareColour } from "../../src/shared/format.ts";

it("memray tree's gradient: stops, interpolation, and int(percentage) truncation", () => {
  expect(treeShareColour(0, 100)).toEqual([97, 193, 44]);
  expect(treeShareColour(40, 100)).toEqual([236, 152, 16]);
  expect(treeShareColour(50, 100)).toEqual([246, 146, 8]); // halfway to darkorange
  expect(treeShareColour(60, 100)).toEqual([255, 140, 0]);
  expect(treeShareColour(100, 100)).toEqual([205, 92, 92]);
  // 39.99 % is taken as 39 %, short of the orange stop.
  expect(treeShareColour(3999, 10000)).toEqual(treeShareColour(39, 100));
  expect(treeShareColour(3999, 10000)).not.toEqual([236, 152, 16]);
  expect(treeShareColour(5, 0)).toEqual([97, 193, 44]); // an empty root
});

it("sizes are decimal, as memray's reports print them", () => {
  expect(formatBytes(999)).toBe("999 B");
  expect(formatBytes(87_250_000)).toBe("87.3 MB");
  expect(formatBytes(1_500)).toBe("1.50 kB");
});
