/**
 * Worker side of the parallel LZ4 path (see parallel.ts): read the file, decompress it, and
 * hand the bytes over through a ring of shared slots. Runs on the second core while the main
 * thread decodes records.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { Lz4FrameDecoder } from "./lz4.ts";
import { ringLayout, SLOT_ERROR, SLOT_END } from "./ring.ts";

const { path, shared, slots, slotBytes } = workerData as { path: string; shared: SharedArrayBuffer; slots: number; slotBytes: number };
const { control, lengths, data } = ringLayout(shared, slots, slotBytes);
// control[0] = slots written, control[1] = slots read, control[2] = stop requested

let slot: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
let fill = 0;

function waitForFreeSlot(): boolean {
  while (true) {
    if (Atomics.load(control, 2) === 1) return false;
    const written = Atomics.load(control, 0);
    if (written - Atomics.load(control, 1) < slots) return true;
    Atomics.wait(control, 1, Atomics.load(control, 1), 100);
  }
}

function publish(length: number): void {
  const written = Atomics.load(control, 0);
  lengths[written % slots] = length;
  Atomics.store(control, 0, written + 1);
  Atomics.notify(control, 0);
}

function openSlot(): boolean {
  if (!waitForFreeSlot()) return false;
  const index = Atomics.load(control, 0) % slots;
  slot = data.subarray(index * slotBytes, (index + 1) * slotBytes);
  fill = 0;
  return true;
}

class Stop extends Error {}

function output(bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    if (fill === slot.length) {
      publish(fill);
      if (!openSlot()) throw new Stop();
    }
    const n = Math.min(bytes.length - offset, slot.length - fill);
    slot.set(bytes.subarray(offset, offset + n), fill);
    fill += n;
    offset += n;
  }
}

const fd = openSync(path, "r");
try {
  if (openSlot()) {
    const lz4 = new Lz4FrameDecoder(output);
    const chunk = new Uint8Array(1 << 20);
    let position = 0;
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, position)) > 0; position += n) {
      lz4.push(chunk.subarray(0, n));
    }
    lz4.end();
    if (fill > 0) publish(fill);
    if (openSlot()) publish(SLOT_END);
  }
} catch (e) {
  if (!(e instanceof Stop)) {
    // Hand the error over in a slot of its own: its text, then the offset.
    if (fill > 0) publish(fill);
    if (openSlot()) {
      const message = new TextEncoder().encode(JSON.stringify({ message: (e as Error).message, offset: (e as { offset?: number }).offset ?? 0 }));
      slot.set(message.subarray(0, slot.length));
      lengths[Atomics.load(control, 0) % slots] = message.length;
      publish(SLOT_ERROR - Math.min(message.length, slot.length));
    }
  }
} finally {
  closeSync(fd);
}
