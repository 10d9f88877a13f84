/**
 * The collector's front half (record-resolver.ts) as a worker stage (reader/parallel.ts): loaded
 * on the decoding thread, it resolves each allocation record there and writes what it resolved
 * into the ring; the other records pass on unchanged. Its state moves to the main thread at the
 * end.
 */
import type { StageModule } from "../reader/index.ts";
import { RecordResolver, resolvedWriter } from "./record-resolver.ts";

/** The stage's options (plain data: they cross to the decoding thread). */
export interface ResolveStageOptions {
  temporaryAllocationThreshold: number;
}

export const startStage: StageModule["startStage"] = ({ options, numbers, room, records }) => {
  const { temporaryAllocationThreshold } = options as ResolveStageOptions;
  const resolver = new RecordResolver(resolvedWriter(numbers, room), temporaryAllocationThreshold);
  return {
    visitor: {
      ...records,
      allocation: (tid, address, sizeBytes, allocator, stackId, nativeId, generation) =>
        resolver.allocation(tid, address, sizeBytes, allocator, stackId, nativeId, generation),
    },
    finish() {
      const state = resolver.finish();
      const { size, count, minSeq } = state.temporarySums;
      const transfer = new Set([...state.locations.buffers(), size.buffer, count.buffer, minSeq.buffer] as ArrayBuffer[]);
      return { result: state, transfer: [...transfer] };
    },
  };
};
