/** The build log names a killed (incomplete) capture, on a terminal or not. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { Progress } from "../../src/cli/progress.ts";
import { buildContent } from "../../src/content/ingest.ts";
import { smallCapture } from "../helpers/capture-writer.ts";
import { TextSink } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-build-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const isTTY of [false, true]) {
  test(`a killed capture is flagged in the build log (${isTTY ? "terminal" : "CI log"})`, async () => {
    const captures = join(dir, `captures-${isTTY}`);
    mkdirSync(captures);
    writeFileSync(join(captures, "killed.bin"), smallCapture({ killed: true }));
    writeFileSync(join(captures, "whole.bin"), smallCapture());
    const out = new TextSink({ isTTY });
    const progress = new Progress(out);
    const result = await buildContent({ capturesDir: captures, contentDir: join(dir, `content-${isTTY}`), env: {}, cwd: captures, onEvent: progress.onEvent });
    expect(result.runs.map((r) => r.outcome)).toEqual(["written", "written"]);
    expect(out.text).toMatch(/warning: killed\.bin: incomplete capture \(.*TRAILER.*\)/);
    expect(out.text).not.toMatch(/whole\.bin: incomplete/);
  });
}
