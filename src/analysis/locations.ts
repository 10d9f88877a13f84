/**
 * Interned allocation locations: one small id per distinct (tid, stack id, native id, map
 * generation, allocator). Per-location sums live in arrays indexed by it, so the per-record path
 * touches no Map and allocates nothing. The same locations with tid 0 (memray's temporal key L)
 * are interned in a table of their own, `mergedTable`, so the temporal columns indexed by them
 * are dense: in one shared table they were every other id, so those columns and the
 * per-location sums were twice the size they need (generated_cardinality, 1M locations and
 * their 1M twins: 519 MB of ArrayBuffers after reading, 645 MB shared).
 */
import { release, resized } from "../shared/typed-arrays.ts";

/** The key columns of interned locations, which snapshot groups point into. */
export interface LocationColumns {
  tid: Int32Array | Float64Array;
  stackId: Int32Array | Float64Array;
  nativeId: Int32Array | Float64Array;
  generation: Int32Array | Float64Array;
  allocator: Uint8Array;
}

/** A location table's columns and count: a Locations, or the merged view of one (see twin). */
export interface LocationTable extends LocationColumns {
  readonly count: number;
}

export class Locations implements LocationTable {
  // Int32 while every value fits (memray numbers threads, stacks, native frames and map
  // generations from 1 or 0 up), else that column widens to Float64: ids are 64-bit in the file,
  // and one past 2^31 stored wrapped would never compare equal again (a new location per record,
  // every one in the same probe chain). Four Float64 columns were 64 MB of generated_cardinality's
  // two 2M-slot tables.
  tid: Int32Array | Float64Array = new Int32Array(256);
  stackId: Int32Array | Float64Array = new Int32Array(256);
  nativeId: Int32Array | Float64Array = new Int32Array(256);
  generation: Int32Array | Float64Array = new Int32Array(256);
  allocator = new Uint8Array(256);
  /** The id in `mergedTable` of the same location with tid 0 (memray's merged-threads key). */
  merged = new Int32Array(256);
  count = 0;
  /**
   * Where the merged twins are interned; a merged table is its own (each entry its own twin).
   * Null while every location has the same tid (`soleTid`): then each location is its own twin,
   * and mergedTable is a view of this table with tid 0. A capture of one thread (most are)
   * made a second table of the same locations, 33 MB on a real sympy capture's 690k.
   */
  private twin: Locations | null;
  private soleTid = 0;
  private view: LocationTable | null = null;

  private slots = new Int32Array(1024).fill(-1);
  /**
   * Per Python stack id, the last location interned with it, plus one (0: none). A record's
   * stack nearly decides its location (same thread, allocator and map generation), so this one
   * array read and four compares answer almost every record without hashing.
   */
  private byStack = new Int32Array(1024);

  constructor(isMergedTable = false) {
    this.twin = isMergedTable ? this : null;
  }

  /** Whether every location so far has the same tid (then each is its own merged twin). */
  get oneThread(): boolean {
    return this.twin === null;
  }

  /** The merged twins' table (memray's temporal key L: tid 0). */
  get mergedTable(): LocationTable {
    if (this.twin !== null) return this.twin;
    const v = this.view;
    if (v !== null && v.count === this.count && v.stackId === this.stackId && v.nativeId === this.nativeId && v.generation === this.generation && v.allocator === this.allocator) {
      return v;
    }
    this.view = { count: this.count, tid: new Int32Array(this.count), stackId: this.stackId, nativeId: this.nativeId, generation: this.generation, allocator: this.allocator };
    return this.view;
  }

  intern(tid: number, stackId: number, nativeId: number, generation: number, allocator: number): number {
    const byStack = this.byStack;
    if (stackId < byStack.length) {
      const id = byStack[stackId]! - 1;
      if (
        id >= 0 &&
        this.tid[id] === tid &&
        this.nativeId[id] === nativeId &&
        this.generation[id] === generation &&
        this.allocator[id] === allocator
      ) {
        return id;
      }
    }
    const id = this.lookup(tid, stackId, nativeId, generation, allocator);
    this.cacheStack(stackId, id);
    return id;
  }

  private cacheStack(stackId: number, id: number): void {
    // Stack ids are dense (numbered by first appearance); a corrupt huge id is just not cached.
    if (stackId >= this.byStack.length) {
      if (stackId >= 1 << 26) return;
      let n = this.byStack.length;
      while (n <= stackId) n *= 2;
      this.byStack = resized(this.byStack, n);
    }
    this.byStack[stackId] = id + 1;
  }

  private lookup(tid: number, stackId: number, nativeId: number, generation: number, allocator: number): number {
    const mask = this.slots.length - 1;
    let i = hash(tid, stackId, nativeId, generation, allocator) & mask;
    for (;;) {
      const id = this.slots[i]!;
      if (id < 0) break;
      if (
        this.tid[id] === tid &&
        this.stackId[id] === stackId &&
        this.nativeId[id] === nativeId &&
        this.generation[id] === generation &&
        this.allocator[id] === allocator
      ) {
        return id;
      }
      i = (i + 1) & mask;
    }
    if (this.twin === null && this.count > 0 && tid !== this.soleTid) this.makeTwin();
    const id = this.add(tid, stackId, nativeId, generation, allocator);
    if ((this.count + 1) * 2 > this.slots.length) {
      this.rehash();
    } else {
      this.slots[i] = id;
    }
    if (this.twin === null) {
      this.soleTid = tid;
      this.merged[id] = id;
    } else {
      this.merged[id] = this.twin === this ? id : this.twin.lookup(0, stackId, nativeId, generation, allocator);
    }
    return id;
  }

  private add(tid: number, stackId: number, nativeId: number, generation: number, allocator: number): number {
    const id = this.count++;
    if (id >= this.stackId.length) {
      const n = this.stackId.length * 2;
      this.tid = resized(this.tid, n);
      this.stackId = resized(this.stackId, n);
      this.nativeId = resized(this.nativeId, n);
      this.generation = resized(this.generation, n);
      this.merged = resized(this.merged, n);
      this.allocator = resized(this.allocator, n);
    }
    if ((tid | 0) !== tid) this.tid = widen(this.tid);
    if ((stackId | 0) !== stackId) this.stackId = widen(this.stackId);
    if ((nativeId | 0) !== nativeId) this.nativeId = widen(this.nativeId);
    if ((generation | 0) !== generation) this.generation = widen(this.generation);
    this.tid[id] = tid;
    this.stackId[id] = stackId;
    this.nativeId[id] = nativeId;
    this.generation[id] = generation;
    this.allocator[id] = allocator;
    return id;
  }

  /**
   * A second tid: the merged table is made of the locations so far, in their order, so each keeps
   * its id (they all have one tid, so each is new with tid 0 too).
   */
  private makeTwin(): void {
    const twin = new Locations(true);
    for (let id = 0; id < this.count; id++) twin.lookup(0, this.stackId[id]!, this.nativeId[id]!, this.generation[id]!, this.allocator[id]!);
    this.twin = twin;
    this.view = null;
  }

  /**
   * Done interning (the collector is finished): the columns trimmed to `count` and the lookup
   * tables dropped, in this table and its merged twin, since snapshot groups keep the columns
   * for as long as the views are drawn.
   */
  compact(): void {
    const n = this.count;
    this.tid = resized(this.tid, n);
    this.stackId = resized(this.stackId, n);
    this.nativeId = resized(this.nativeId, n);
    this.generation = resized(this.generation, n);
    this.allocator = resized(this.allocator, n);
    this.merged = resized(this.merged, n);
    release(this.slots);
    release(this.byStack);
    this.slots = new Int32Array(0);
    this.byStack = new Int32Array(0);
    if (this.twin !== null && this.twin !== this) this.twin.compact();
    this.view = null;
  }

  /** The buffers of a compacted table and its twin's (to move it to another thread). */
  buffers(): ArrayBuffer[] {
    const tables: Locations[] = this.twin !== null && this.twin !== this ? [this, this.twin] : [this];
    const buffers = new Set<ArrayBuffer>();
    for (const t of tables) {
      for (const a of [t.tid, t.stackId, t.nativeId, t.generation, t.allocator, t.merged, t.slots, t.byStack]) buffers.add(a.buffer as ArrayBuffer);
    }
    return [...buffers];
  }

  /** A table that crossed threads as plain data (structured clone), with its methods back. */
  static revive(data: object): Locations {
    const table = Object.setPrototypeOf(data, Locations.prototype) as Locations;
    if (table.twin !== null && table.twin !== table) Object.setPrototypeOf(table.twin, Locations.prototype);
    return table;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    release(this.slots);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let i = hash(this.tid[id]!, this.stackId[id]!, this.nativeId[id]!, this.generation[id]!, this.allocator[id]!) & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
  }
}

function hash(tid: number, stackId: number, nativeId: number, generation: number, allocator: number): number {
  let h = Math.imul(tid >>> 0, 0x9e3779b1);
  h = Math.imul(h ^ stackId ^ ((stackId / 2 ** 32) | 0), 0x85ebca6b);
  h = Math.imul(h ^ nativeId ^ ((nativeId / 2 ** 32) | 0), 0xc2b2ae35);
  h = Math.imul(h ^ (generation * 16 + allocator), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The same values as Float64 (once a value does not fit in Int32). */
export function widen(a: Int32Array | Float64Array): Int32Array | Float64Array {
  if (a instanceof Float64Array) return a;
  const wide = Float64Array.from(a);
  release(a);
  return wide;
}
