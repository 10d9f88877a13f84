// A worker stage for the reader's tests (reader/parallel.ts' WorkerStage): on the decoding
// thread it turns each allocation record into one stage record of (tag, size), and passes every
// other record on; its result is the number of allocations it saw.
import { STAGE_TAG, type StageModule } from "../../src/reader/index.ts";

export const startStage: StageModule["startStage"] = ({ options, numbers, room, records }) => {
  const { scale } = options as { scale: number };
  let count = 0;
  return {
    visitor: {
      ...records,
      allocation(_tid, _address, sizeBytes) {
        count++;
        const at = room(2);
        numbers[at] = STAGE_TAG;
        numbers[at + 1] = sizeBytes * scale;
      },
    },
    finish: () => ({ result: { count }, transfer: [] }),
  };
};
