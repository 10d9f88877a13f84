// memray's flame graphs of every native fixture capture, native frames included: heaptrail
// symbolizes the ips with the ELF and debug files of this machine, which must be the ones the
// captures were recorded with (Debian 12's python3.11 and libc6 with libc6-dbg).
import { readdirSync } from "node:fs";
import { describe, it } from "vitest";
import { MEMRAY_DIR, MEMRAY_VERSIONS } from "../helpers/fixtures.ts";
import { checkFlameGolden, FLAME_VARIANTS } from "../analysis/golden.ts";
import { missingReferenceImages } from "./reference-images.ts";

const missing = missingReferenceImages();
if (missing !== null) console.warn(`skipping symbolized native goldens: ${missing}`);

for (const version of MEMRAY_VERSIONS) {
  const dir = `${MEMRAY_DIR}/${version}`;
  const captures = readdirSync(dir).filter((f) => f.endsWith(".native.bin")).map((f) => f.slice(0, -4));
  describe(`memray ${version} native, symbolized`, () => {
    for (const capture of captures) {
      for (const variant of FLAME_VARIANTS) {
        it.skipIf(missing !== null)(`${capture} ${variant}`, () =>
          checkFlameGolden(`${dir}/${capture}.bin`, `${dir}/${capture}.flamegraph-${variant}.json`, variant, true),
        );
      }
    }
  });
}
