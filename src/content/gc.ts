/**
 * A full garbage collection between stages, once they hold enough to matter. The analysis leaves
 * its builders' spent tables as garbage, which V8 frees only at its next major GC, and the write
 * stage's own buffers came on top of them: one collection between the two took
 * generated_cardinality's ingest peak from ~545 to ~455 MiB (memray flamegraph: 324), at no
 * measurable CPU cost. Below the threshold a collection (a few ms) would cost more than it
 * frees: a suite of thousands of small captures would pay it for each.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** JS heap plus ArrayBuffers from which a collection is made. */
const COLLECT_FROM_BYTES = 128 << 20;

let gc: (() => void) | null | undefined;

export function collectGarbageIfLarge(): void {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  if (heapUsed + arrayBuffers < COLLECT_FROM_BYTES) return;
  if (gc === undefined) {
    // Node exposes `gc` only behind a flag; set at run time, the flag gives the function to
    // contexts made after it, so a fresh context hands it over and the global scope stays as is.
    try {
      setFlagsFromString("--expose-gc");
      const f: unknown = runInNewContext("gc");
      gc = typeof f === "function" ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
