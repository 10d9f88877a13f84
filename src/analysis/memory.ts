/** The memory timeline memray shows (docs/capture-format.md §5.4): capped at `maxMemoryRecords` by keeping every stride-th sample. */
import type { MemorySample } from "./model.ts";

/** `stride = ceil(count / max)` when there are more than `max` samples; index multiples of it are kept. */
export function memoryStride(count: number, maxMemoryRecords: number): number {
  return count > maxMemoryRecords ? Math.ceil(count / maxMemoryRecords) : 1;
}

export function memorySamples(
  timeMs: readonly number[],
  rssBytes: readonly number[],
  heapBytes: readonly number[],
  maxMemoryRecords: number,
): MemorySample[] {
  const stride = memoryStride(timeMs.length, maxMemoryRecords);
  const samples: MemorySample[] = [];
  for (let i = 0; i < timeMs.length; i += stride) {
    samples.push({ timeMs: timeMs[i]!, rssBytes: rssBytes[i]!, heapBytes: heapBytes[i]! });
  }
  return samples;
}
