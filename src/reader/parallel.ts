/**
 * Reading a large LZ4 capture on two cores: a worker decompresses into a shared ring while
 * this thread decodes records, blocking on Atomics.wait when it is ahead. The API stays
 * synchronous; memory stays bounded by the ring (slots × slotBytes).
 */
import { Worker } from "node:worker_threads";
import { CaptureError } from "./errors.ts";
import type { CaptureReader } from "./index.ts";
import { ringBytes, ringLayout, SLOT_END, SLOT_ERROR } from "./ring.ts";

const SLOTS = 8;
const SLOT_BYTES = 1 << 20;

/** Feed `reader` with the decompressed bytes of the LZ4 file at `path`, decompressed in a worker. */
export function pushDecompressedInWorker(path: string, reader: CaptureReader): void {
  const shared = new SharedArrayBuffer(ringBytes(SLOTS, SLOT_BYTES));
  const { control, lengths, data } = ringLayout(shared, SLOTS, SLOT_BYTES);
  const worker = new Worker(new URL("./lz4-worker.ts", import.meta.url), {
    workerData: { path, shared, slots: SLOTS, slotBytes: SLOT_BYTES },
  });
  worker.unref();
  try {
    while (!reader.done) {
      const read = Atomics.load(control, 1);
      if (Atomics.load(control, 0) === read) {
        Atomics.wait(control, 0, read, 1000);
        continue;
      }
      const index = read % SLOTS;
      const length = lengths[index]!;
      if (length === SLOT_END) break;
      if (length <= SLOT_ERROR) {
        const n = SLOT_ERROR - length;
        const { message, offset } = JSON.parse(new TextDecoder().decode(data.slice(index * SLOT_BYTES, index * SLOT_BYTES + n)));
        reader.endWithError(new CaptureError(String(message).replace(/ \(at byte \d+.*\)$/, ""), Number(offset)));
        return;
      }
      reader.pushDecompressed(data.subarray(index * SLOT_BYTES, index * SLOT_BYTES + length));
      Atomics.store(control, 1, read + 1);
      Atomics.notify(control, 1);
    }
  } finally {
    Atomics.store(control, 2, 1); // ask the worker to stop, and do not wait for it
    Atomics.notify(control, 1);
    void worker.terminate();
  }
}
