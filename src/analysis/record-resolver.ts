/**
 * The front half of the collector's pass (allocation-collector.ts is the back half): each
 * allocation record resolved to its location id. It owns the state keyed by raw ids and by
 * thread: the interned locations and the temporary allocations' per-thread rings. What it
 * resolves goes to a ResolvedSink, one call per record, in record order.
 *
 * The halves share no state while reading, so on a file read on the decoding thread the front
 * half runs there (resolve-stage.ts) and its calls cross the ring as the records of RESOLVED
 * below: both cores analyse. The split is where the two threads' work balances: with the live
 * table in this half too, the decoding thread became the slower one on generated_pyalloc_x16
 * (3.3 s busy against the main thread's 1.7 s while reading), and the file took longer.
 */
import { ALLOCATOR_KIND, AllocatorKind, STAGE_TAG } from "../reader/index.ts";
import { Locations } from "./locations.ts";
import type { LocationSums } from "./snapshots.ts";
import { TemporaryAllocations } from "./temporary.ts";

/** What the back half is told of each allocation record (each call is one record, one seq). */
export interface ResolvedSink {
  /** An allocation at location `loc` (`merged`: its merged-threads twin). */
  alloc(address: number, sizeBytes: number, allocator: number, stackId: number, loc: number, merged: number): void;
  free(address: number): void;
  mmap(address: number, sizeBytes: number, allocator: number, stackId: number, loc: number, merged: number): void;
  munmap(address: number, sizeBytes: number): void;
  /** A record of an allocator of no kind: it changes no state. */
  other(): void;
}

/** The front half's state once the file is read. */
export interface ResolvedState {
  /** Compacted (Locations.compact). */
  locations: Locations;
  temporarySums: LocationSums;
}

export class RecordResolver {
  readonly locations = new Locations();
  private readonly temporary: TemporaryAllocations;
  private readonly sink: ResolvedSink;
  private seq = 0;

  /** `temporaryAllocationThreshold`: memray's `--temporary-allocation-threshold` (a RangeError unless a non-negative integer). */
  constructor(sink: ResolvedSink, temporaryAllocationThreshold: number) {
    this.sink = sink;
    this.temporary = new TemporaryAllocations(temporaryAllocationThreshold);
  }

  allocation(tid: number, address: number, sizeBytes: number, allocator: number, stackId: number, nativeId: number, generation: number): void {
    const seq = this.seq++;
    const kind = ALLOCATOR_KIND[allocator];
    if (kind === AllocatorKind.ALLOC || kind === AllocatorKind.MMAP) {
      const locations = this.locations;
      const loc = locations.intern(tid, stackId, nativeId, generation, allocator);
      if (kind === AllocatorKind.ALLOC) this.sink.alloc(address, sizeBytes, allocator, stackId, loc, locations.merged[loc]!);
      else this.sink.mmap(address, sizeBytes, allocator, stackId, loc, locations.merged[loc]!);
      this.temporary.remember(tid, address, sizeBytes, loc, seq);
    } else if (kind === AllocatorKind.FREE) {
      this.sink.free(address);
      this.temporary.match(tid, address, -1);
    } else if (kind === AllocatorKind.MUNMAP) {
      this.sink.munmap(address, sizeBytes);
      this.temporary.match(tid, address, sizeBytes);
    } else {
      this.sink.other();
    }
  }

  /** Done reading: the state, the locations compacted. The resolver is spent. */
  finish(): ResolvedState {
    this.locations.compact();
    return { locations: this.locations, temporarySums: this.temporary.sums(this.locations.count) };
  }
}

/** A ResolvedState that crossed threads as plain data, with its locations' methods back. */
export function reviveResolved(data: unknown): ResolvedState {
  const state = data as ResolvedState;
  Locations.revive(state.locations);
  return state;
}

/** The resolved records in the ring (tags from the reader's STAGE_TAG on): their tag, then these fields. */
export const RESOLVED = {
  ALLOC: { tag: STAGE_TAG, fields: ["address", "sizeBytes", "allocator", "stackId", "loc", "merged"] },
  FREE: { tag: STAGE_TAG + 1, fields: ["address"] },
  MMAP: { tag: STAGE_TAG + 2, fields: ["address", "sizeBytes", "allocator", "stackId", "loc", "merged"] },
  MUNMAP: { tag: STAGE_TAG + 3, fields: ["address", "sizeBytes"] },
  OTHER: { tag: STAGE_TAG + 4, fields: [] },
} as const;

const R = RESOLVED;
const W_ALLOC = 1 + R.ALLOC.fields.length;
const W_FREE = 1 + R.FREE.fields.length;
const W_MUNMAP = 1 + R.MUNMAP.fields.length;

/** A sink that writes each call as a RESOLVED record at `room(width)` of `numbers` (the decoding thread's side). */
export function resolvedWriter(numbers: Float64Array, room: (n: number) => number): ResolvedSink {
  const allocation = (tag: number, address: number, sizeBytes: number, allocator: number, stackId: number, loc: number, merged: number): void => {
    const at = room(W_ALLOC);
    numbers[at] = tag;
    numbers[at + 1] = address;
    numbers[at + 2] = sizeBytes;
    numbers[at + 3] = allocator;
    numbers[at + 4] = stackId;
    numbers[at + 5] = loc;
    numbers[at + 6] = merged;
  };
  return {
    alloc: (address, sizeBytes, allocator, stackId, loc, merged) => allocation(R.ALLOC.tag, address, sizeBytes, allocator, stackId, loc, merged),
    mmap: (address, sizeBytes, allocator, stackId, loc, merged) => allocation(R.MMAP.tag, address, sizeBytes, allocator, stackId, loc, merged),
    free(address) {
      const at = room(W_FREE);
      numbers[at] = R.FREE.tag;
      numbers[at + 1] = address;
    },
    munmap(address, sizeBytes) {
      const at = room(W_MUNMAP);
      numbers[at] = R.MUNMAP.tag;
      numbers[at + 1] = address;
      numbers[at + 2] = sizeBytes;
    },
    other() {
      numbers[room(1)] = R.OTHER.tag;
    },
  };
}

/**
 * The RESOLVED records from numbers[i] on into `sink`, up to `end` or the first record of
 * another kind (the reader's): the index after them (a WorkerStage's read).
 */
export function readResolved(numbers: Float64Array, i: number, end: number, sink: ResolvedSink): number {
  while (i < end) {
    const tag = numbers[i]!;
    if (tag === R.ALLOC.tag) {
      sink.alloc(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3]!, numbers[i + 4]!, numbers[i + 5]!, numbers[i + 6]!);
      i += W_ALLOC;
    } else if (tag === R.FREE.tag) {
      sink.free(numbers[i + 1]!);
      i += W_FREE;
    } else if (tag === R.MMAP.tag) {
      sink.mmap(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3]!, numbers[i + 4]!, numbers[i + 5]!, numbers[i + 6]!);
      i += W_ALLOC;
    } else if (tag === R.MUNMAP.tag) {
      sink.munmap(numbers[i + 1]!, numbers[i + 2]!);
      i += W_MUNMAP;
    } else if (tag === R.OTHER.tag) {
      sink.other();
      i += 1;
    } else {
      break;
    }
  }
  return i;
}
