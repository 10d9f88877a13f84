/** The shared-memory ring between the decode worker and the main thread (see parallel.ts). */

/** A slot length below zero says what the slot holds instead of data. */
export const SLOT_END = -1;

/** Record tags in the ring; each record is the tag and a fixed number of fields. */
export const Rec = {
  HEADER: 1, // the header is on the port
  ALLOCATION: 2, // tid, address, size, allocator, stackId, nativeId, generation
  MEMORY: 3, // timeMs, rss
  SNAPSHOT: 4, // timeMs, rss, heap
  OBJECT: 5, // tid, address, created, stackId, nativeId
  AGGREGATED: 6, // tid, allocator, nativeId, stackId, generation, nHwm, nLeaked, bytesHwm, bytesLeaked
} as const;

/**
 * Views of the ring: `control` [slots written, slots read, stop requested, unused], the length
 * (in numbers) of each slot, and the slots themselves as numbers, `slotBytes / 8` per slot.
 */
export function ringLayout(shared: SharedArrayBuffer, slots: number, slotBytes: number) {
  const dataOffset = 16 + 8 * Math.ceil((4 * slots) / 8); // keep the numbers 8-byte aligned
  return {
    control: new Int32Array(shared, 0, 4),
    lengths: new Int32Array(shared, 16, slots),
    numbers: new Float64Array(shared, dataOffset, (slots * slotBytes) / 8),
    slotNumbers: slotBytes / 8,
  };
}

export function ringBytes(slots: number, slotBytes: number): number {
  return 16 + 8 * Math.ceil((4 * slots) / 8) + slots * slotBytes;
}
