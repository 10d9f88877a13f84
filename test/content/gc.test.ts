/** The write stage's collection: made once the heap and ArrayBuffers are large, and it frees them. */
import { setTimeout as sleep } from "node:timers/promises";
import { expect, test } from "vitest";
import { collectGarbageIfLarge } from "../../src/content/gc.ts";

test("frees unreachable ArrayBuffers once the heap and ArrayBuffers pass the threshold", async () => {
  const before = process.memoryUsage().arrayBuffers;
  // Garbage the size of a big capture's spent builders (the threshold is 128 MiB).
  let garbage: Float64Array[] | null = Array.from({ length: 20 }, () => new Float64Array(1 << 20).fill(1));
  expect(garbage.length).toBe(20);
  garbage = null;
  expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThan(150 << 20);
  collectGarbageIfLarge();
  // V8 frees the backing stores of collected ArrayBuffers on a background thread, just after.
  for (let waitedMs = 0; waitedMs < 2000 && process.memoryUsage().arrayBuffers - before > 16 << 20; waitedMs += 20) await sleep(20);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
});
