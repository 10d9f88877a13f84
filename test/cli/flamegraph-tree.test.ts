// The flamegraph and tree commands: flags, formats and errors; the folded stacks and trees are
// memray's own flame graph data (test/data/memray), stack for stack.
import { describe, expect, it } from "vitest";
import type { FlameNode } from "../../src/analysis/model.ts";
import { foldedStacksOf, memrayFoldedStacks } from "../analysis/golden.ts";
import { runCli } from "../helpers/cli.ts";
import { MEMRAY_DIR } from "../helpers/fixtures.ts";

const capture = `${MEMRAY_DIR}/1.20.0/complete.default`;
const file = `${capture}.bin`;
const lines = (text: string) => text.trimEnd().split("\n").sort();

describe("heaptrail flamegraph", () => {
  it("prints folded stacks by default: memray's peak flame graph, stack for stack", async () => {
    const { status, out } = await runCli(["flamegraph", file]);
    expect(status).toBe(0);
    expect(lines(out)).toEqual(memrayFoldedStacks(`${capture}.flamegraph-default.json`).sort());
    expect(out).toMatch(/;g \(complete\.py:20\) 20000049$/m);
  });
  it("--inverted folds innermost frame first: memray's inverted flame graph, stack for stack", async () => {
    const { status, out } = await runCli(["flamegraph", "--inverted", file]);
    expect(status).toBe(0);
    const expected = memrayFoldedStacks(`${capture}.flamegraph-inverted.json`).sort();
    expect(lines(out)).toEqual(expected);
    expect(out).toMatch(/^g \(complete\.py:20\);f \(complete\.py:24\);d \(complete\.py:28\);.* 20000049$/m);
  });
  it("prints the flame tree as JSON, inverted on request: memray's inverted tree", async () => {
    const { status, out } = await runCli(["flamegraph", file, "--format", "json", "--inverted"]);
    expect(status).toBe(0);
    const tree = JSON.parse(out) as FlameNode;
    expect(foldedStacksOf(tree).sort()).toEqual(memrayFoldedStacks(`${capture}.flamegraph-inverted.json`).sort());
    expect(tree.valueBytes).toBe(45_040_297);
  });
  it("rejects conflicting views and bad flags with exit 2 and the usage", async () => {
    for (const args of [[file, "--leaks", "--temporary-allocations"], [file, "--temporary-allocation-threshold", "-3"], [file, "--bogus"], []]) {
      const { status, err } = await runCli(["flamegraph", ...args]);
      expect(status).toBe(2);
      expect(err).toMatch(/^heaptrail flamegraph: [\s\S]+\nusage: heaptrail flamegraph CAPTURE/);
    }
  });
});

describe("heaptrail tree", () => {
  it("draws callers and allocators with sizes and shares, no colour off a terminal", async () => {
    const { status, out: text } = await runCli(["tree", file, "-b", "5"]);
    expect(status).toBe(0);
    expect(text).toMatch(/^📂 45\.0 MB \(100\.00 %\) <ROOT>/);
    expect(text).toMatch(/📄 20\.0 MB \(44\.\d\d %\) g {2}complete\.py:20/);
    expect(text).toContain("locations below the configured threshold");
    expect(text).not.toContain("\u001b[");
  });
});

describe("heaptrail <command> --help", () => {
  it("prints each command's usage and exits 0, build included", async () => {
    for (const command of ["stats", "flamegraph", "tree", "build"]) {
      const { status, out } = await runCli([command, "--help"]);
      expect(status).toBe(0);
      expect(out).toMatch(new RegExp(`^usage: heaptrail ${command} `));
    }
  });
});
