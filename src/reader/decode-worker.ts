/**
 * Worker side of the parallel reader (see parallel.ts): read, decompress and decode the capture
 * here, and stream its records to the main thread as numbers through the shared ring, so the
 * main thread spends its time on the analysis only. The header comes first and the tables and
 * summary last, over a MessagePort.
 */
import { workerData, type MessagePort } from "node:worker_threads";
import { CaptureError } from "./errors.ts";
import { readCaptureFile } from "./index.ts";
import type { StageModule } from "./parallel.ts";
import { Control, ringLayout, ringWriter, SLOT_END, type WorkerError } from "./ring.ts";

const { path, shared, slots, slotBytes, port, stage } = workerData as {
  path: string;
  shared: SharedArrayBuffer;
  slots: number;
  slotBytes: number;
  port: MessagePort;
  stage: { module: string; options: unknown } | null;
};
const { control, lengths, numbers, slotNumbers } = ringLayout(shared, slots, slotBytes);

class Stop extends Error {}

let base = 0; // first number of the slot being filled
let fill = 0; // numbers written into it

function waitForFreeSlot(): void {
  for (;;) {
    // Wait on the very count that was found full: loading it again for the wait lost the wake-up
    // when the main thread freed slots in between, and the worker then slept out its 100 ms.
    const read = Atomics.load(control, Control.READ);
    if (Atomics.load(control, Control.WRITTEN) - read < slots) break;
    if (Atomics.load(control, Control.STOP) === 1) throw new Stop();
    Atomics.wait(control, Control.READ, read, 100);
  }
  if (Atomics.load(control, Control.STOP) === 1) throw new Stop();
  base = (Atomics.load(control, Control.WRITTEN) % slots) * slotNumbers;
  fill = 0;
}

/**
 * Publish the slot being filled. The main thread is woken only once half the ring is full (or
 * at the end): woken for every slot, the two threads took turns slot by slot, and the wake-ups
 * and waits were 540 ms of docutils.native's `stats` (CPU profile, loaded machine).
 */
function publish(length: number): void {
  const written = Atomics.load(control, Control.WRITTEN) + 1;
  lengths[(written - 1) % slots] = length;
  Atomics.store(control, Control.WRITTEN, written);
  if (length === SLOT_END || written - Atomics.load(control, Control.READ) >= slots >> 1) Atomics.notify(control, Control.WRITTEN);
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

/** Post a message, then count it, so the main thread can wait for the next one. */
function post(message: unknown, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  Atomics.add(control, Control.MESSAGES, 1);
  Atomics.notify(control, Control.MESSAGES);
}

try {
  waitForFreeSlot();
  const records = ringWriter(numbers, room, (header) => post({ header }));
  const started = stage ? ((await import(stage.module)) as StageModule).startStage({ options: stage.options, numbers, room, records }) : null;
  const read = readCaptureFile(path, started?.visitor ?? records, { parallelFromBytes: Infinity });
  const staged = started?.finish() ?? { result: undefined, transfer: [] };
  // Moved, not copied: a copy was 48 MB on generated_cardinality, briefly held twice.
  post({ tables: read.tables, summary: read.summary, stage: staged.result }, [...read.tables.buffers(), ...staged.transfer]);
  if (fill > 0) publish(fill);
  waitForFreeSlot();
  publish(SLOT_END);
} catch (e) {
  if (!(e instanceof Stop)) {
    // The error crosses as its fields; the main thread builds the same error again.
    const error: WorkerError = e instanceof CaptureError
      ? { capture: true, detail: e.detail, offset: e.offset, where: e.where }
      : { capture: false, message: (e as Error).message ?? String(e) };
    post({ error });
    try {
      if (fill > 0) publish(fill);
      waitForFreeSlot();
      publish(SLOT_END);
    } catch {
      // the reader stopped listening
    }
  }
}
