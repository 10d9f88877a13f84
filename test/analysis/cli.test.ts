// The flamegraph and tree commands: flags, formats and errors.
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runFlamegraph } from "../../src/cli/flamegraph.ts";
import { main } from "../../src/cli/main.ts";
import { runTree } from "../../src/cli/tree.ts";
import { MEMRAY_DIR } from "../helpers/fixtures.ts";

async function capture(run: (argv: string[], out: NodeJS.WritableStream) => Promise<number>, argv: string[]) {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d) => (text += d));
  const code = await run(argv, out);
  return { code, text };
}
const file = `${MEMRAY_DIR}/1.20.0/complete.default.bin`;

describe("heaptrail flamegraph", () => {
  it("prints folded stacks by default", async () => {
    const { code, text } = await capture(runFlamegraph, [file]);
    expect(code).toBe(0);
    expect(text).toMatch(/;g \(complete\.py:20\) 20000\d{3}$/m);
  });
  it("prints the flame tree as JSON, inverted on request", async () => {
    const { code, text } = await capture(runFlamegraph, [file, "--format", "json", "--inverted"]);
    expect(code).toBe(0);
    const tree = JSON.parse(text);
    expect(tree.children.map((c: { function: string }) => c.function)).toContain("g");
  });
  it("rejects conflicting views and bad flags with exit 2 and the usage", async () => {
    for (const args of [[file, "--leaks", "--temporary-allocations"], [file, "--temporary-allocation-threshold", "-3"], [file, "--bogus"], []]) {
      let errText = "";
      const err = new Writable({ write: (chunk, _enc, done) => ((errText += String(chunk)), done()) });
      const code = await main(["flamegraph", ...args], new Writable({ write: (_c, _e, done) => done() }), err);
      expect(code).toBe(2);
      expect(errText).toMatch(/^heaptrail flamegraph: [\s\S]+\nusage: heaptrail flamegraph CAPTURE/);
    }
  });
});

describe("heaptrail tree", () => {
  it("draws callers and allocators with sizes and shares, no colour off a terminal", async () => {
    const { code, text } = await capture(runTree, [file, "-b", "5"]);
    expect(code).toBe(0);
    expect(text).toMatch(/^📂 45\.0 MB \(100\.00 %\) <ROOT>/);
    expect(text).toMatch(/📄 20\.0 MB \(44\.\d\d %\) g {2}complete\.py:20/);
    expect(text).toContain("locations below the configured threshold");
    expect(text).not.toContain("\u001b[");
  });
});

describe("heaptrail <command> --help", () => {
  it("prints each command's usage and exits 0, build included", async () => {
    for (const command of ["stats", "flamegraph", "tree", "build"]) {
      let text = "";
      const out = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
      const code = await main([command, "--help"], out, new Writable({ write: (_c, _e, done) => done() }));
      expect(code).toBe(0);
      expect(text).toMatch(new RegExp(`^usage: heaptrail ${command} `));
    }
  });
});
