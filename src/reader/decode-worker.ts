/**
 * Worker side of the parallel reader (see parallel.ts): read, decompress and decode the capture
 * here, and stream its records to the main thread as numbers through the shared ring, so the
 * main thread spends its time on the analysis only. The header comes first and the tables and
 * summary last, over a MessagePort.
 */
import { workerData, type MessagePort } from "node:worker_threads";
import { CaptureError } from "./errors.ts";
import { readCaptureFile } from "./index.ts";
import { ringLayout, SLOT_END, Rec } from "./ring.ts";

const { path, shared, slots, slotBytes, port } = workerData as {
  path: string;
  shared: SharedArrayBuffer;
  slots: number;
  slotBytes: number;
  port: MessagePort;
};
const { control, lengths, numbers, slotNumbers } = ringLayout(shared, slots, slotBytes);

class Stop extends Error {}

let base = 0; // first number of the slot being filled
let fill = 0; // numbers written into it

function waitForFreeSlot(): void {
  while (Atomics.load(control, 0) - Atomics.load(control, 1) >= slots) {
    if (Atomics.load(control, 2) === 1) throw new Stop();
    Atomics.wait(control, 1, Atomics.load(control, 1), 100);
  }
  if (Atomics.load(control, 2) === 1) throw new Stop();
  base = (Atomics.load(control, 0) % slots) * slotNumbers;
  fill = 0;
}

function publish(length: number): void {
  const written = Atomics.load(control, 0);
  lengths[written % slots] = length;
  Atomics.store(control, 0, written + 1);
  Atomics.notify(control, 0);
}

/** Room for `n` more numbers in the current slot, publishing it and taking the next if full. */
function room(n: number): number {
  if (fill + n > slotNumbers) {
    publish(fill);
    waitForFreeSlot();
  }
  const at = base + fill;
  fill += n;
  return at;
}

try {
  waitForFreeSlot();
  const read = readCaptureFile(
    path,
    {
      header(header) {
        port.postMessage({ header });
        numbers[room(1)] = Rec.HEADER;
      },
      allocation(tid, address, size, allocator, stackId, nativeId, generation) {
        const at = room(8);
        numbers[at] = Rec.ALLOCATION;
        numbers[at + 1] = tid;
        numbers[at + 2] = address;
        numbers[at + 3] = size;
        numbers[at + 4] = allocator;
        numbers[at + 5] = stackId;
        numbers[at + 6] = nativeId;
        numbers[at + 7] = generation;
      },
      memoryRecord(timeMs, rss) {
        const at = room(3);
        numbers[at] = Rec.MEMORY;
        numbers[at + 1] = timeMs;
        numbers[at + 2] = rss;
      },
      memorySnapshot(timeMs, rss, heap) {
        const at = room(4);
        numbers[at] = Rec.SNAPSHOT;
        numbers[at + 1] = timeMs;
        numbers[at + 2] = rss;
        numbers[at + 3] = heap;
      },
      objectRecord(tid, address, created, stackId, nativeId) {
        const at = room(6);
        numbers[at] = Rec.OBJECT;
        numbers[at + 1] = tid;
        numbers[at + 2] = address;
        numbers[at + 3] = created ? 1 : 0;
        numbers[at + 4] = stackId;
        numbers[at + 5] = nativeId;
      },
      aggregatedAllocation(r) {
        const at = room(10);
        numbers[at] = Rec.AGGREGATED;
        numbers[at + 1] = r.tid;
        numbers[at + 2] = r.allocator;
        numbers[at + 3] = r.nativeId;
        numbers[at + 4] = r.stackId;
        numbers[at + 5] = r.generation;
        numbers[at + 6] = r.nAllocationsInHighWaterMark;
        numbers[at + 7] = r.nAllocationsLeaked;
        numbers[at + 8] = r.bytesInHighWaterMark;
        numbers[at + 9] = r.bytesLeaked;
      },
    },
    { parallelFromBytes: Infinity },
  );
  port.postMessage({ tables: read.tables, summary: read.summary });
  if (fill > 0) publish(fill);
  waitForFreeSlot();
  publish(SLOT_END);
} catch (e) {
  if (!(e instanceof Stop)) {
    const error = e instanceof CaptureError
      ? { message: e.message, offset: e.offset, where: e.where, capture: true }
      : { message: (e as Error).message ?? String(e), capture: false };
    port.postMessage({ error });
    try {
      if (fill > 0) publish(fill);
      waitForFreeSlot();
      publish(SLOT_END);
    } catch {
      // the reader stopped listening
    }
  }
}
