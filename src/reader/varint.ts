/**
 * LEB128 varints as memray writes them: up to 10 bytes, 64-bit. Values are plain numbers;
 * beyond 2^53 (never seen in real captures) they are rounded, which is documented, not silent.
 *
 * The readers return the new position and leave the value in `varint.value`, so that the
 * hot loop allocates nothing. Reading past the buffer reads the zero padding that the
 * decoder keeps after its data; the decoder then notices that the record ran past the end.
 * So a varint still continued after 10 bytes is really in the data: it throws OVERLONG_VARINT,
 * its start left in `varint.overlongAt`, and the decoder reports a CaptureError there.
 */
export const varint = { value: 0, overlongAt: 0 };

/** Not an Error: the decoder turns it into a CaptureError with the offset. */
export const OVERLONG_VARINT = Symbol("varint longer than 64 bits");

export function readUvar(buf: Uint8Array, pos: number): number {
  let b = buf[pos++]!;
  if (b < 0x80) {
    varint.value = b;
    return pos;
  }
  let value = b & 0x7f;
  let shift = 7;
  // Up to 28 bits with integer arithmetic, then multiplication so nothing overflows.
  while (shift < 28) {
    b = buf[pos++]!;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varint.value = value >>> 0;
      return pos;
    }
    shift += 7;
  }
  value >>>= 0;
  let scale = 2 ** 28;
  for (let i = 4; i < 10; i++) {
    b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      varint.value = value;
      return pos;
    }
    scale *= 128;
  }
  // memray stops once the shift reaches 64: the record is corrupt.
  varint.overlongAt = pos - 10;
  throw OVERLONG_VARINT;
}

/** Zig-zag signed varint. */
export function readSvar(buf: Uint8Array, pos: number): number {
  pos = readUvar(buf, pos);
  const z = varint.value;
  varint.value = z < 0x80000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  return pos;
}

/** Add a signed delta to a 64-bit register, wrapping modulo 2^64 like memray. */
export function addDelta(register: number, delta: number): number {
  const sum = register + delta;
  if (sum >= 0 && sum <= Number.MAX_SAFE_INTEGER) return sum;
  if (sum !== sum) return sum; // NaN: BigInt() would throw
  return Number(BigInt.asUintN(64, BigInt(Math.trunc(register)) + BigInt(Math.trunc(delta))));
}
