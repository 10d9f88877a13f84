/**
 * Reading a large capture on two cores: a worker reads, decompresses and decodes it
 * (decode-worker.ts) and streams the records through a shared ring, while this thread runs the
 * visitor, i.e. the analysis. The API stays synchronous (Atomics.wait, receiveMessageOnPort);
 * memory stays bounded by the ring (slots × slotBytes).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { CaptureError } from "./errors.ts";
import type { CaptureRead } from "./index.ts";
import type { CaptureHeader, CaptureVisitor } from "./records.ts";
import { Rec, ringBytes, ringLayout, SLOT_END } from "./ring.ts";
import { CaptureTables } from "./tables.ts";

const SLOTS = 8;
const SLOT_BYTES = 1 << 20;
/** A worker that sends nothing for this long has died (out of memory, killed): fail, don't hang. */
const STALL_MS = 60_000;

export function readInWorker(path: string, visitor: CaptureVisitor): CaptureRead {
  const shared = new SharedArrayBuffer(ringBytes(SLOTS, SLOT_BYTES));
  const { control, lengths, numbers, slotNumbers } = ringLayout(shared, SLOTS, SLOT_BYTES);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL("./decode-worker.ts", import.meta.url), {
    workerData: { path, shared, slots: SLOTS, slotBytes: SLOT_BYTES, port: port2 },
    transferList: [port2],
  });
  worker.unref();
  const stalled = (): never => {
    throw new Error(`the decode worker for ${path} sent nothing for ${STALL_MS / 1000} s: it stopped`);
  };
  const nextMessage = (): any => {
    // The worker posts before it publishes the slot that refers to the message.
    for (const deadline = performance.now() + STALL_MS; performance.now() < deadline; ) {
      const m = receiveMessageOnPort(port1);
      if (m !== undefined) return m.message;
      Atomics.wait(control, 3, 0, 1); // a 1 ms sleep: control[3] never changes
    }
    return stalled();
  };
  let header: CaptureHeader | null = null;
  // Visitors may install their callbacks when the header arrives (computeStats does): re-read them then.
  let onAllocation = visitor.allocation;
  let onMemory = visitor.memoryRecord;
  try {
    let waitingSince = 0;
    for (;;) {
      const read = Atomics.load(control, 1);
      if (Atomics.load(control, 0) === read) {
        if (waitingSince === 0) waitingSince = performance.now();
        else if (performance.now() - waitingSince > STALL_MS) stalled();
        Atomics.wait(control, 0, read, 1000);
        continue;
      }
      waitingSince = 0;
      const length = lengths[read % SLOTS]!;
      if (length === SLOT_END) break;
      const base = (read % SLOTS) * slotNumbers;
      const end = base + length;
      let i = base;
      while (i < end) {
        const tag = numbers[i]!;
        if (tag === Rec.ALLOCATION) {
          onAllocation?.(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3]!, numbers[i + 4]!, numbers[i + 5]!, numbers[i + 6]!, numbers[i + 7]!);
          i += 8;
        } else if (tag === Rec.MEMORY) {
          onMemory?.(numbers[i + 1]!, numbers[i + 2]!);
          i += 3;
        } else if (tag === Rec.HEADER) {
          header = nextMessage().header as CaptureHeader;
          visitor.header?.(header);
          onAllocation = visitor.allocation;
          onMemory = visitor.memoryRecord;
          i += 1;
        } else if (tag === Rec.SNAPSHOT) {
          visitor.memorySnapshot?.(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3]!);
          i += 4;
        } else if (tag === Rec.OBJECT) {
          visitor.objectRecord?.(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3] === 1, numbers[i + 4]!, numbers[i + 5]!);
          i += 6;
        } else {
          const n = numbers;
          visitor.aggregatedAllocation?.({
            tid: n[i + 1]!, allocator: n[i + 2]!, nativeId: n[i + 3]!, stackId: n[i + 4]!, generation: n[i + 5]!,
            nAllocationsInHighWaterMark: n[i + 6]!, nAllocationsLeaked: n[i + 7]!, bytesInHighWaterMark: n[i + 8]!, bytesLeaked: n[i + 9]!,
          });
          i += 10;
        }
      }
      Atomics.store(control, 1, read + 1);
      Atomics.notify(control, 1);
    }
    const last = nextMessage();
    if (last.error) {
      if (!last.error.capture) throw new Error(`the decode worker for ${path} failed: ${last.error.message}`);
      // Rebuild the worker's CaptureError; readCaptureFile adds the path back.
      const message = String(last.error.message).replace(`${path}: `, "").replace(/ \(at byte \d+.*\)$/, "");
      throw new CaptureError(message, last.error.offset, last.error.where);
    }
    if (header === null) throw new Error("internal: the decode worker sent no header");
    // The tables crossed as plain data: give them their methods back.
    const tables = Object.setPrototypeOf(last.tables, CaptureTables.prototype) as CaptureTables;
    return { header, tables, summary: last.summary };
  } finally {
    Atomics.store(control, 2, 1); // ask the worker to stop if it is still going
    Atomics.notify(control, 1);
    port1.close();
    void worker.terminate();
  }
}
