/** The shared-memory ring between the LZ4 worker and the record decoder. */

/** A slot length below zero says what the slot holds instead of data. */
export const SLOT_END = -1;
/** Error slots hold `SLOT_ERROR - n`: n bytes of JSON `{ message, offset }`. */
export const SLOT_ERROR = -2;

export function ringLayout(shared: SharedArrayBuffer, slots: number, slotBytes: number) {
  return {
    control: new Int32Array(shared, 0, 4),
    lengths: new Int32Array(shared, 16, slots),
    data: new Uint8Array(shared, 16 + 4 * slots, slots * slotBytes),
  };
}

export function ringBytes(slots: number, slotBytes: number): number {
  return 16 + 4 * slots + slots * slotBytes;
}
