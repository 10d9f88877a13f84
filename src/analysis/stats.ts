/**
 * `memray stats` (docs/capture-format.md §5.5): totals, size histogram, allocator distribution, top locations and
 * (header 13) top modules, gathered per record with no per-record allocation; locations are
 * resolved once per distinct stack at the end.
 */
import { ALLOCATOR_KIND, AllocatorKind, ALLOCATOR_NAMES, type CaptureHeader, type CaptureTables } from "../reader/index.ts";
import type { CaptureStats } from "./model.ts";
import { resized } from "../shared/typed-arrays.ts";

export interface StatsOptions {
  /** How many top locations and modules to keep (`memray stats -n`). Default 5. */
  topN?: number;
  /** The peak, found beside these counters (PeakTracker, or the collector's own). */
  peakMemoryBytes: number;
}

const SMALL_SIZES = 1 << 16;

export class StatsCollector {
  private readonly header: CaptureHeader;
  private totalNum = 0;
  private totalBytes = 0;
  // Sizes below SMALL_SIZES are counted in an array (most are); the rest in a Map.
  private readonly countBySmallSize = new Float64Array(SMALL_SIZES);
  private readonly countByLargeSize = new Map<number, number>();
  private readonly countByAllocator = new Float64Array(16);
  // Per Python stack id: allocations, bytes, and the record index of its first allocation.
  private stackCount = new Float64Array(1024);
  private stackBytes = new Float64Array(1024);
  private stackFirstSeq = new Float64Array(1024);
  private seq = 0;

  constructor(header: CaptureHeader) {
    this.header = header;
  }

  /** Any allocation record, frees included (they are not counted but advance the record index). */
  allocation(sizeBytes: number, allocator: number, stackId: number): void {
    const seq = this.seq++;
    const kind = ALLOCATOR_KIND[allocator];
    if (kind === AllocatorKind.FREE || kind === AllocatorKind.MUNMAP) return;
    this.countAllocation(sizeBytes, allocator, stackId, seq);
  }

  /**
   * One allocation (not a deallocation) at record `seq`. The one-pass analysis calls this
   * directly from its own per-record switch instead of `allocation` (and `seq` is the caller's
   * record index).
   */
  countAllocation(sizeBytes: number, allocator: number, stackId: number, seq: number): void {
    this.totalNum++;
    this.totalBytes += sizeBytes;
    if (sizeBytes < SMALL_SIZES) this.countBySmallSize[sizeBytes]!++;
    else this.countByLargeSize.set(sizeBytes, (this.countByLargeSize.get(sizeBytes) ?? 0) + 1);
    this.countByAllocator[allocator]!++;
    if (stackId >= this.stackCount.length) this.growStacks(stackId);
    if (this.stackCount[stackId] === 0) this.stackFirstSeq[stackId] = seq;
    this.stackCount[stackId]!++;
    this.stackBytes[stackId]! += sizeBytes;
  }

  private growStacks(stackId: number): void {
    let n = this.stackCount.length;
    while (n <= stackId) n *= 2;
    for (const name of ["stackCount", "stackBytes", "stackFirstSeq"] as const) this[name] = resized(this[name], n);
  }

  result(tables: CaptureTables, options: StatsOptions): CaptureStats {
    const topN = options.topN ?? 5;
    const locations = this.locations(tables);
    const bySize = [...locations].sort((a, b) => b.sizeBytes - a.sizeBytes || b.order - a.order);
    const byCount = [...locations].sort((a, b) => b.count - a.count || b.order - a.order);
    const modules = this.header.version >= 13 ? this.modules(tables) : null;
    const allocators: Array<{ allocator: string; count: number }> = [];
    this.countByAllocator.forEach((count, id) => {
      if (count > 0) allocators.push({ allocator: ALLOCATOR_NAMES[id]!, count });
    });
    allocators.sort((a, b) => b.count - a.count);
    return {
      totalNumAllocations: this.totalNum,
      totalBytesAllocated: this.totalBytes,
      peakMemoryBytes: options.peakMemoryBytes,
      allocationSizeHistogram: sizeHistogram(this.countBySmallSize, this.countByLargeSize),
      allocatorTypeDistribution: allocators,
      topAllocationsBySize: bySize.slice(0, topN).map((l) => ({ location: l.label, sizeBytes: l.sizeBytes })),
      topAllocationsByCount: byCount.slice(0, topN).map((l) => ({ location: l.label, count: l.count })),
      topModulesBySize: modules
        ? [...modules].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, topN).map(({ module, sizeBytes }) => ({ module, sizeBytes }))
        : null,
      topModulesByCount: modules
        ? [...modules].sort((a, b) => b.count - a.count).slice(0, topN).map(({ module, count }) => ({ module, count }))
        : null,
    };
  }

  /**
   * Totals per location: the innermost frame of the untrimmed stack. memray ≥ 1.19 numbers
   * locations (function, file, line) by first appearance; 1.18 (header 11) keys them by frame
   * id. Ties in the top lists go to the higher number; "no stack" sorts below all. Each frame's
   * location is looked up once, not once per stack: a label string per distinct stack was 17 ms
   * of wide_tree's `stats` (90k stacks, 14k frames).
   */
  private locations(tables: CaptureTables): Array<{ label: string; sizeBytes: number; count: number; order: number }> {
    type Location = { label: string; sizeBytes: number; count: number; order: number };
    const found: Location[] = [];
    const byLabel = new Map<string, Location>();
    const byFrame: Array<Location | undefined> = [];
    const v11 = this.header.version === 11;
    for (let stackId = 0; stackId < this.stackCount.length; stackId++) {
      const count = this.stackCount[stackId]!;
      if (count === 0) continue;
      const sizeBytes = this.stackBytes[stackId]!;
      if (stackId === 0) {
        found.push({ label: "<stack trace unavailable>", sizeBytes, count, order: -Infinity });
        continue;
      }
      const frameId = tables.stackFrame[stackId]!;
      let entry = byFrame[frameId];
      if (entry === undefined) {
        const frame = tables.frame(frameId);
        const label = `${frame.function}:${frame.filename}:${frame.lineno}`;
        entry = v11 ? undefined : byLabel.get(label);
        if (entry === undefined) {
          entry = { label, sizeBytes: 0, count: 0, order: v11 ? frameId : Infinity };
          if (!v11) byLabel.set(label, entry);
          found.push(entry);
        }
        byFrame[frameId] = entry;
      }
      entry.count += count;
      entry.sizeBytes += sizeBytes;
      if (!v11) entry.order = Math.min(entry.order, this.stackFirstSeq[stackId]!);
    }
    return found;
  }

  /**
   * memray 1.20's top modules: the first non-stdlib frame from the leaf decides (§5.5). Each
   * stack node's module is found once (moduleOf, shared by the stacks through it), instead of
   * walking every stack to its first non-stdlib frame; an Int32Array of module numbers, since a
   * Map of nodes was 44 MB more peak RSS on sympy (656k stack nodes).
   */
  private modules(tables: CaptureTables): Array<{ module: string; sizeBytes: number; count: number }> {
    const resolver = new ModuleResolver(this.header);
    const byModule = new Map<string, { module: string; sizeBytes: number; count: number }>();
    const names = ["<root>"]; // module number → name
    const numberOf = new Map<string, number>([["<root>", 0]]);
    const moduleOf = new Int32Array(tables.stackCount).fill(-1); // stack node → module number
    moduleOf[0] = 0;
    // Frame id → module number, STDLIB, or UNKNOWN until classified: one classification per
    // frame rather than a file-name lookup and a split per stack node (1.4 s of
    // generated_cardinality's 3.1M stack nodes).
    const UNKNOWN = -2;
    const STDLIB = -1;
    const byFrame = new Int32Array(Math.max(1, tables.framesDefined)).fill(UNKNOWN);
    const frameModule = (frameId: number): number => {
      let m = frameId < byFrame.length ? byFrame[frameId]! : UNKNOWN;
      if (m !== UNKNOWN) return m;
      const { name, kind } = resolver.classify(tables.frame(frameId).filename);
      if (kind === "stdlib") {
        m = STDLIB;
      } else {
        const top = name.split(".")[0]!;
        const found = top === "memray" ? "<root>" : top;
        m = numberOf.get(found) ?? names.push(found) - 1;
        numberOf.set(found, m);
      }
      if (frameId < byFrame.length) byFrame[frameId] = m;
      return m;
    };
    const path: number[] = [];
    for (let stackId = 0; stackId < this.stackCount.length; stackId++) {
      const count = this.stackCount[stackId]!;
      if (count === 0) continue;
      // Up from the leaf to a node whose module is known or to the first non-stdlib frame.
      let node = stackId;
      let module = node < moduleOf.length ? moduleOf[node]! : 0;
      path.length = 0;
      while (module === -1) {
        path.push(node);
        const m = frameModule(tables.stackFrame[node]!);
        if (m !== STDLIB) {
          module = m;
          break;
        }
        node = tables.stackParent[node]!;
        module = node > 0 && node < moduleOf.length ? moduleOf[node]! : 0;
      }
      for (const n of path) moduleOf[n] = module;
      const name = names[module]!;
      const entry = byModule.get(name) ?? { module: name, sizeBytes: 0, count: 0 };
      entry.count += count;
      entry.sizeBytes += this.stackBytes[stackId]!;
      byModule.set(name, entry);
    }
    return [...byModule.values()];
  }
}

/**
 * Classifies a file as memray 1.20 does, from the paths recorded in a header-13 capture. The
 * header's directories are split once, and each file name once, not once per directory. With the
 * histogram read in place, `stats`' result on the generated wide-tree capture (20k distinct files
 * and sizes): 107–120 → 94–105 ms.
 */
class ModuleResolver {
  private readonly cache = new Map<string, { name: string; kind: string }>();
  private readonly sitePackages: string[][];
  private readonly libdest: string[] | null;
  private readonly sysPath: string[][];

  constructor(header: CaptureHeader) {
    this.sitePackages = header.sitePackages.map(pathParts);
    this.libdest = header.libdest ? pathParts(header.libdest) : null;
    this.sysPath = header.sysPath.map(pathParts);
  }

  classify(filename: string): { name: string; kind: string } {
    let found = this.cache.get(filename);
    if (!found) {
      found = this.classifyUncached(filename);
      this.cache.set(filename, found);
    }
    return found;
  }

  private classifyUncached(filename: string): { name: string; kind: string } {
    if (filename === "") return { name: "unknown", kind: "unknown" };
    if (filename.startsWith("<frozen ")) return { name: filename.slice(8, -1), kind: "stdlib" };
    const parts = pathParts(filename);
    for (const dir of this.sitePackages) {
      const rel = relativeTo(parts, dir);
      if (rel !== null) return { name: pathToModule(rel), kind: "site-packages" };
    }
    if (this.libdest) {
      const rel = relativeTo(parts, this.libdest);
      if (rel !== null) return { name: pathToModule(rel), kind: "stdlib" };
    }
    for (const dir of this.sysPath) {
      const rel = relativeTo(parts, dir);
      if (rel !== null) return { name: pathToModule(rel), kind: "project" };
    }
    return { name: pathToModule([filename.split("/").filter(Boolean).pop() ?? filename]), kind: "unknown" };
  }
}

/** Path parts `parts` below `baseParts` (lexically, like pathlib's relative_to), or null. */
function relativeTo(parts: string[], baseParts: string[]): string[] | null {
  if (baseParts.length > parts.length) return null;
  for (let i = 0; i < baseParts.length; i++) if (parts[i] !== baseParts[i]) return null;
  return parts.slice(baseParts.length);
}

function pathParts(path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return path.startsWith("/") ? ["/", ...parts] : parts;
}

function pathToModule(parts: string[]): string {
  const p = [...parts];
  const last = p[p.length - 1];
  if (last === "__init__.py") p.pop();
  else if (last?.endsWith(".py")) p[p.length - 1] = last.slice(0, -3);
  return p.join(".");
}

/**
 * memray's 10-bin log-scale histogram of allocation sizes, from the counts by size below
 * SMALL_SIZES (`small[size]`) and above (`large`), read in place rather than merged into one Map
 * first (a copy of every distinct size: 20k on the generated wide-tree capture).
 */
export function sizeHistogram(small: Float64Array, large: Map<number, number>): Array<{ minBytes: number; maxBytes: number; count: number }> {
  /** Every size counted (count > 0), the small ones first. */
  const eachSize = (visit: (size: number, count: number) => void): void => {
    for (let size = 0; size < small.length; size++) if (small[size] !== 0) visit(size, small[size]!);
    for (const [size, count] of large) visit(size, count);
  };
  let minNonZero = Infinity;
  let max = 0;
  let total = 0;
  eachSize((size, count) => {
    if (size > 0 && size < minNonZero) minNonZero = size;
    if (size > max) max = size;
    total += count;
  });
  if (minNonZero === Infinity) return []; // memray fails here; an empty histogram says the same
  let lo = Math.log(minNonZero);
  const hi = Math.log(max);
  if (lo === hi) lo = lo / 2;
  const step = (hi - lo) / 10;
  if (step === 0) return [{ minBytes: 0, maxBytes: max, count: total }];
  const counts = new Array<number>(10).fill(0);
  eachSize((size, count) => {
    const bin = size === 0 ? 0 : Math.min(pythonFloorDiv(Math.log(size) - lo, step), 9);
    counts[Math.max(0, bin)]! += count;
  });
  const bins: Array<{ minBytes: number; maxBytes: number; count: number }> = [];
  let previous = 0;
  for (let i = 0; i < 10; i++) {
    const bound = Math.floor(Math.exp(lo + step * (i + 1)));
    bins.push({ minBytes: previous, maxBytes: i === 9 ? bound : bound - 1, count: counts[i]! });
    previous = bound;
  }
  return bins;
}

/**
 * Python's float `a // b`, which goes through fmod and so differs from `Math.floor(a / b)` when
 * the quotient rounds up to a whole number: sizes at a bin edge must land where memray puts them.
 */
export function pythonFloorDiv(a: number, b: number): number {
  let mod = a % b; // JS % on numbers is C fmod
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) {
    mod += b;
    div -= 1;
  }
  if (div === 0) return 0;
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}
