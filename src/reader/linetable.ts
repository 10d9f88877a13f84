/**
 * Python line tables (header 12+): memray stores a code object's raw table and the bytecode
 * offset of each frame, and the reader computes the line, the same way memray does.
 */

/** The line of bytecode `offset` (bytes) in a code object, or 0 when unknown. */
export function lineForOffset(pythonVersionHex: number, table: Uint8Array, firstLine: number, offset: number): number {
  if (table.length === 0 || offset < 0) return 0;
  const minor = (pythonVersionHex >>> 16) & 0xff;
  const major = pythonVersionHex >>> 24;
  if (major > 3 || minor >= 11) return locationTableLine(table, firstLine, offset);
  if (minor === 10) return lineTable310(table, firstLine, offset);
  return lnotabLine(table, firstLine, offset);
}

/** CPython ≥ 3.11 location table. */
function locationTableLine(table: Uint8Array, firstLine: number, offset: number): number {
  const unit = Math.floor(offset / 2); // the table counts 2-byte code units
  let line = firstLine;
  let addr = 0;
  let pos = 0;
  const n = table.length;
  const uv6 = (): number => {
    let b = table[pos++] ?? 0;
    let value = b & 63;
    let shift = 6;
    while (b & 64) {
      b = table[pos++] ?? 0;
      value += (b & 63) * 2 ** shift;
      shift += 6;
    }
    return value;
  };
  const sv6 = (): number => {
    const u = uv6();
    return u & 1 ? -(u >>> 1) : u >>> 1;
  };
  while (pos < n && table[pos] !== 0) {
    const h = table[pos++]!;
    const code = (h >> 3) & 15;
    const len = (h & 7) + 1;
    if (code === 14) {
      line += sv6();
      uv6();
      uv6();
      uv6();
    } else if (code === 13) {
      line += sv6();
    } else if (code >= 10 && code <= 12) {
      line += code - 10;
      pos += 2;
    } else if (code <= 9) {
      pos += 1;
    }
    if (addr <= unit && unit < addr + len) return line;
    addr += len;
  }
  return 0;
}

/** CPython 3.10 `co_linetable`: (byte delta, signed line delta) pairs. */
function lineTable310(table: Uint8Array, firstLine: number, offset: number): number {
  let line = firstLine;
  let pos = 0;
  const target = offset * 2;
  for (let i = 0; i + 1 < table.length; i += 2) {
    pos += table[i]!;
    const delta = (table[i + 1]! << 24) >> 24;
    if (delta !== -128) line += delta;
    if (pos > target) break;
  }
  return line;
}

/**
 * CPython ≤ 3.9 `co_lnotab`. memray reads the byte increment as a C `char`, signed on x86-64,
 * into an unsigned accumulator: an increment ≥ 128 wraps and ends the scan. We copy that.
 */
function lnotabLine(table: Uint8Array, firstLine: number, offset: number): number {
  let line = firstLine;
  let bc = 0n;
  const target = BigInt(offset);
  for (let i = 0; i + 1 < table.length; i += 2) {
    bc = BigInt.asUintN(64, bc + BigInt((table[i]! << 24) >> 24));
    if (bc > target) break;
    line += (table[i + 1]! << 24) >> 24;
  }
  return line;
}
