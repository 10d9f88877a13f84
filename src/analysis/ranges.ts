/**
 * memray's mmap range list (docs/capture-format.md §5 "Removing a range"): half-open [start, end) ranges, each tagged
 * with the mmap that made it. Ranges are immutable objects, so a copy of the list is a cheap
 * snapshot (used to keep the range list as it was at the high-water mark).
 */

export interface MappedRange {
  start: number;
  end: number;
  /** Location id (see Locations) and seq of the mmap record. */
  loc: number;
  seq: number;
  /** Temporal snapshot generation when mapped. */
  gen: number;
  /** Shared by every piece cut from one mmap (its seq). */
  identity: number;
}

export const PieceKind = { FREED: 0, SHRUNK: 1, SPLIT: 2 } as const;

export interface UnmappedPiece {
  kind: number;
  sizeBytes: number;
  range: MappedRange;
}

/** Remove [start, start+length) from `ranges`; returns the new list and the pieces unmapped. */
export function unmapRange(
  ranges: readonly MappedRange[],
  start: number,
  length: number,
): { ranges: MappedRange[]; pieces: UnmappedPiece[]; removedBytes: number } {
  const end = start + length;
  const kept: MappedRange[] = [];
  const pieces: UnmappedPiece[] = [];
  let removedBytes = 0;
  for (const r of ranges) {
    const lo = Math.max(r.start, start);
    const hi = Math.min(r.end, end);
    if (length <= 0 || lo >= hi) {
      kept.push(r);
      continue;
    }
    const sizeBytes = hi - lo;
    removedBytes += sizeBytes;
    const coversStart = start <= r.start;
    const coversEnd = end >= r.end;
    if (coversStart && coversEnd) {
      pieces.push({ kind: PieceKind.FREED, sizeBytes, range: r });
    } else if (coversStart) {
      pieces.push({ kind: PieceKind.SHRUNK, sizeBytes, range: r });
      kept.push({ ...r, start: hi });
    } else if (coversEnd) {
      pieces.push({ kind: PieceKind.SHRUNK, sizeBytes, range: r });
      kept.push({ ...r, end: lo });
    } else {
      pieces.push({ kind: PieceKind.SPLIT, sizeBytes, range: r });
      kept.push({ ...r, end: lo }, { ...r, start: hi });
    }
  }
  return { ranges: kept, pieces, removedBytes };
}
