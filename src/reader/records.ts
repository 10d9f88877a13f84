/**
 * The reader's vocabulary: what a capture header holds and the records a capture yields.
 * Allocators use memray's current numbering (header 12+); version 11 ids are mapped on read.
 */

export const Allocator = {
  PYMALLOC_FREE: 1,
  PYMALLOC_MALLOC: 2,
  PYMALLOC_CALLOC: 3,
  PYMALLOC_REALLOC: 4,
  FREE: 5,
  MALLOC: 6,
  REALLOC: 7,
  CALLOC: 8,
  POSIX_MEMALIGN: 9,
  ALIGNED_ALLOC: 10,
  MEMALIGN: 11,
  VALLOC: 12,
  PVALLOC: 13,
  MMAP: 14,
  MUNMAP: 15,
} as const;
export type Allocator = (typeof Allocator)[keyof typeof Allocator];

/** Allocator ids are 1 to 15; anything else in a record is corruption. */
export function isAllocatorId(id: number): boolean {
  return id >= Allocator.PYMALLOC_FREE && id <= Allocator.MUNMAP;
}

/** memray's enum names, indexed by allocator id (index 0 is unused). */
export const ALLOCATOR_NAMES: readonly string[] = [
  "",
  "PYMALLOC_FREE",
  "PYMALLOC_MALLOC",
  "PYMALLOC_CALLOC",
  "PYMALLOC_REALLOC",
  "FREE",
  "MALLOC",
  "REALLOC",
  "CALLOC",
  "POSIX_MEMALIGN",
  "ALIGNED_ALLOC",
  "MEMALIGN",
  "VALLOC",
  "PVALLOC",
  "MMAP",
  "MUNMAP",
];

/** Every capture file starts with these bytes ("memray\0"); LZ4-compressed ones only once inflated. */
export const CAPTURE_MAGIC: readonly number[] = [0x6d, 0x65, 0x6d, 0x72, 0x61, 0x79, 0x00];

/** Header 11 allocator ids → current ids. */
export const V11_ALLOCATORS: readonly number[] = [0, 6, 5, 8, 7, 9, 10, 11, 12, 13, 14, 15, 2, 3, 4, 1];

/** What an allocator id does; ALLOCATOR_KIND maps every id to one of these. */
export const AllocatorKind = { ALLOC: 0, FREE: 1, MMAP: 2, MUNMAP: 3 } as const;
export const ALLOCATOR_KIND: Uint8Array = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3]);

export function isDeallocator(allocator: number): boolean {
  const kind = ALLOCATOR_KIND[allocator];
  return kind === AllocatorKind.FREE || kind === AllocatorKind.MUNMAP;
}

export const PYTHON_ALLOCATOR_NAMES: Readonly<Record<number, string>> = {
  1: "pymalloc",
  2: "pymalloc debug",
  3: "malloc",
  4: "unknown",
  5: "mimalloc",
  6: "mimalloc debug",
};

export const FileFormat = { ALL_ALLOCATIONS: 0, AGGREGATED_ALLOCATIONS: 1 } as const;

export interface CaptureHeader {
  /** 11, 12 or 13. */
  version: number;
  /** `PY_VERSION_HEX` memray was built against (header 12+), else null. */
  pythonVersion: number | null;
  nativeTraces: boolean;
  /** 0 all allocations, 1 aggregated. */
  fileFormat: number;
  /** Header stats: provisional (0) when the process was killed. Counts frees too. */
  nAllocations: number;
  nFrames: number;
  startTimeMs: number;
  endTimeMs: number;
  commandLine: string;
  pid: number;
  mainTid: number;
  skippedFramesOnMainTid: number;
  /** 1 pymalloc … 6 mimalloc debug (see PYTHON_ALLOCATOR_NAMES). */
  pythonAllocator: number;
  tracePythonAllocators: boolean;
  trackObjectLifetimes: boolean;
  /** Header 13 only: where the traced interpreter keeps its standard library, and its paths. */
  libdest: string | null;
  sitePackages: string[];
  sysPath: string[];
  /** Size of the header in bytes. */
  sizeBytes: number;
}

/** A Python frame as memray reports it. Line 0 means unknown. */
export interface Frame {
  function: string;
  filename: string;
  lineno: number;
  isEntry: boolean;
}

/** One loaded image of a memory-map generation (`--native`). */
export interface ImageSegments {
  filename: string;
  loadAddress: number;
  /** Pairs of (vaddr, memsz). */
  segments: Array<[number, number]>;
}

/** A per-location record of an aggregated (`--aggregate`) capture. */
export interface AggregatedAllocation {
  tid: number;
  allocator: number;
  nativeId: number;
  stackId: number;
  generation: number;
  nAllocationsInHighWaterMark: number;
  nAllocationsLeaked: number;
  bytesInHighWaterMark: number;
  bytesLeaked: number;
}

/**
 * What a capture hands on while it is read. The hot callbacks take plain numbers so that
 * reading 20 million records allocates nothing per record.
 */
export interface CaptureVisitor {
  header?(header: CaptureHeader): void;
  /**
   * One ALLOCATION record (allocations and frees alike), in file order: the analysis numbers
   * the calls from 0 (its record `seq`). For deallocators memray captures no stack: `stackId`,
   * `nativeId`, `generation` are 0.
   */
  allocation?(
    tid: number,
    address: number,
    sizeBytes: number,
    allocator: number,
    stackId: number,
    nativeId: number,
    generation: number,
  ): void;
  /** An RSS sample (all-allocations files). */
  memoryRecord?(timeMs: number, rssBytes: number): void;
  /** An RSS + heap sample of an aggregated file. */
  memorySnapshot?(timeMs: number, rssBytes: number, heapBytes: number): void;
  aggregatedAllocation?(record: AggregatedAllocation): void;
  /** An OBJECT_RECORD (header 12+, object lifetime tracking). */
  objectRecord?(tid: number, address: number, created: boolean, stackId: number, nativeId: number): void;
}

/** How reading ended. */
export interface ReadSummary {
  /** False when the data stopped before a TRAILER (killed process, cut file, corrupt record). */
  complete: boolean;
  /** Why reading stopped early, if it did. */
  warning: string | null;
  /** Offset in the raw (decompressed) stream where good data ended. */
  endOffset: number;
  /** ALLOCATION records decoded (frees included), as memray's FileReader counts them. */
  nAllocationRecords: number;
  nMemoryRecords: number;
  /** Records of every type, as `memray parse` lists them (less HEADER; SEGMENTs not counted). */
  nRecords: number;
  /** Whether the file was LZ4-compressed. */
  compressed: boolean;
}
