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
import { Control, readRing, ringBytes, ringLayout, SLOT_END, type RingWriter, type WorkerError } from "./ring.ts";
import { CaptureTables } from "./tables.ts";

/**
 * 8 slots of 128 KiB (about 2,000 allocation records each): a ring of 8 MiB cost 8 MB of RSS
 * and read json_churn no faster (measured side by side).
 */
const SLOTS = 8;
const SLOT_BYTES = 128 << 10;
/**
 * The worker's young generation, in MB: it decodes into the ring and allocates little, and
 * Node's default let it grow 2 MB more (json_churn).
 */
const WORKER_YOUNG_GENERATION_MB = 1;
/** A worker that sends nothing for this long has died (out of memory, killed): fail, don't hang. */
const STALL_MS = 60_000;

/**
 * Analysis moved onto the decoding thread, so that both cores analyse: there `module`'s
 * `startStage` (a StageModule) gets every record and writes its own into the ring, records
 * whose tags are STAGE_TAG and up; here `read` takes them in, in file order with the reader's
 * records (memory samples, ...), which still go to the visitor. At the end the stage's result
 * crosses to `done` (its buffers moved, not copied). The reader knows only this contract, not
 * the stage.
 */
export interface WorkerStage {
  /** The stage's module, loaded on the decoding thread. */
  module: URL;
  /** Plain data for its startStage. */
  options?: unknown;
  /** The stage's records from numbers[i] on, up to `end` or the next reader record: the index after them. */
  read(numbers: Float64Array, i: number, end: number): number;
  /** What the stage's finish returned, once the file is read. */
  done(result: unknown): void;
}

/** What a stage gets on the decoding thread. */
export interface StageContext {
  options: unknown;
  /** The ring's numbers, and room(n): the index of n numbers to write one record at. */
  numbers: Float64Array;
  room(n: number): number;
  /** The reader's own writer, for the records the stage passes on unchanged. */
  records: RingWriter;
}

/** A stage module's export. */
export interface StageModule {
  startStage(context: StageContext): { visitor: CaptureVisitor; finish(): { result: unknown; transfer: ArrayBuffer[] } };
}

export function readInWorker(path: string, visitor: CaptureVisitor, stage?: WorkerStage): CaptureRead {
  const shared = new SharedArrayBuffer(ringBytes(SLOTS, SLOT_BYTES));
  const { control, lengths, numbers, slotNumbers } = ringLayout(shared, SLOTS, SLOT_BYTES);
  const { port1, port2 } = new MessageChannel();
  // The sources run as .ts in a checkout, as .js compiled into an installed package's lib/.
  const workerFile = import.meta.url.endsWith(".ts") ? "./decode-worker.ts" : "./decode-worker.js";
  const worker = new Worker(new URL(workerFile, import.meta.url), {
    workerData: { path, shared, slots: SLOTS, slotBytes: SLOT_BYTES, port: port2, stage: stage ? { module: stage.module.href, options: stage.options } : null },
    transferList: [port2],
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  worker.unref();
  const stalled = (): never => {
    throw new Error(`the decode worker for ${path} sent nothing for ${STALL_MS / 1000} s: it stopped`);
  };
  let received = 0;
  const nextMessage = (): any => {
    // The worker posts, counts the message (Control.MESSAGES), then publishes the slot that
    // refers to it: wait on that count, not on time.
    for (const deadline = performance.now() + STALL_MS; performance.now() < deadline; ) {
      const m = receiveMessageOnPort(port1);
      if (m !== undefined) {
        received++;
        return m.message;
      }
      Atomics.wait(control, Control.MESSAGES, received, Math.max(1, deadline - performance.now()));
    }
    return stalled();
  };
  let header: CaptureHeader | null = null;
  const onHeader = (): void => {
    header = nextMessage().header as CaptureHeader;
    visitor.header?.(header);
  };
  try {
    let waitingSince = 0;
    for (;;) {
      const read = Atomics.load(control, Control.READ);
      if (Atomics.load(control, Control.WRITTEN) === read) {
        if (waitingSince === 0) waitingSince = performance.now();
        else if (performance.now() - waitingSince > STALL_MS) stalled();
        Atomics.wait(control, Control.WRITTEN, read, 1000);
        continue;
      }
      waitingSince = 0;
      const length = lengths[read % SLOTS]!;
      if (length === SLOT_END) break;
      const base = (read % SLOTS) * slotNumbers;
      readRing(numbers, base, base + length, visitor, onHeader, stage?.read);
      Atomics.store(control, Control.READ, read + 1);
      // Wake the worker (waiting for a free slot) once half the ring is free, not for every slot.
      if (Atomics.load(control, Control.WRITTEN) - (read + 1) <= SLOTS >> 1) Atomics.notify(control, Control.READ);
    }
    const last = nextMessage();
    if (last.error) {
      const error = last.error as WorkerError;
      // readCaptureFile adds the path back.
      if (error.capture) throw new CaptureError(error.detail, error.offset, error.where);
      throw new Error(`the decode worker for ${path} failed: ${error.message}`);
    }
    if (header === null) throw new Error("internal: the decode worker sent no header");
    // The tables crossed as plain data: give them their methods back.
    const tables = Object.setPrototypeOf(last.tables, CaptureTables.prototype) as CaptureTables;
    if (stage) stage.done(last.stage);
    return { header, tables, summary: last.summary };
  } finally {
    Atomics.store(control, Control.STOP, 1); // ask the worker to stop if it is still going
    Atomics.notify(control, Control.READ);
    port1.close();
    void worker.terminate();
  }
}
