// Every flame graph memray made for the fixture captures, all three memray versions.
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MEMRAY_DIR, MEMRAY_VERSIONS } from "../helpers/fixtures.ts";
import { checkFlameGolden, FLAME_VARIANTS } from "./golden.ts";

for (const version of MEMRAY_VERSIONS) {
  const dir = `${MEMRAY_DIR}/${version}`;
  const captures = readdirSync(dir).filter((f) => f.endsWith(".bin")).map((f) => f.slice(0, -4));
  describe(`memray ${version}`, () => {
    it("has the fixture captures", () => expect(captures.length).toBe(35));
    for (const capture of captures) {
      for (const variant of FLAME_VARIANTS) {
        const golden = `${dir}/${capture}.flamegraph-${variant}.json`;
        if (!existsSync(golden)) continue; // memray refuses some views for aggregated files
        it(`${capture} ${variant}`, () => checkFlameGolden(`${dir}/${capture}.bin`, golden, variant));
      }
    }
  });
}
