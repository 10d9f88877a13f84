/** The build log names a killed (incomplete) capture, on a terminal or not. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { Progress } from "../../src/cli/progress.ts";
import { buildContent } from "../../src/content/ingest.ts";
import { CaptureWriter } from "../helpers/capture-writer.ts";
import { TextSink } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-build-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(withTrailer: boolean): Uint8Array {
  const w = new CaptureWriter({ commandLine: "python run.py" });
  w.codeObject(1, "main", "run.py", 1);
  w.memory(1_000_000, 0);
  w.contextSwitch(1).push(1);
  w.allocation(0x1000, 100_000);
  w.memory(1_200_000, 100);
  return (withTrailer ? w.trailer() : w).bytes();
}

for (const isTTY of [false, true]) {
  test(`a killed capture is flagged in the build log (${isTTY ? "terminal" : "CI log"})`, async () => {
    const captures = join(dir, `captures-${isTTY}`);
    mkdirSync(captures);
    writeFileSync(join(captures, "killed.bin"), capture(false));
    writeFileSync(join(captures, "whole.bin"), capture(true));
    const out = new TextSink({ isTTY });
    const progress = new Progress(out);
    const result = await buildContent({ capturesDir: captures, contentDir: join(dir, `content-${isTTY}`), env: {}, cwd: captures, onEvent: progress.onEvent });
    expect(result.runs.map((r) => r.outcome)).toEqual(["written", "written"]);
    expect(out.text).toMatch(/warning: killed\.bin: incomplete capture \(.*TRAILER.*\)/);
    expect(out.text).not.toMatch(/whole\.bin: incomplete/);
  });
}
