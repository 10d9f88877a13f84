// Every user error is one line naming the path and what is wrong (the
// stack only with --debug), and every subcommand's --help lists every option with its default.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli as run } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-cli-errors-"));
mkdirSync(join(dir, "a-folder.bin"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("user errors are one line naming the path", () => {
  const missing = join(dir, "missing.bin");
  const folder = join(dir, "a-folder.bin");
  for (const command of ["stats", "flamegraph", "tree"]) {
    it(`${command}: a missing capture`, async () => {
      const { status, err } = await run([command, missing]);
      expect(status).toBe(1);
      expect(err).toBe(`heaptrail ${command}: ${missing}: no such file or folder (ENOENT)\n`);
    });
    it(`${command}: a folder as the capture`, async () => {
      const { status, err } = await run([command, folder]);
      expect(status).toBe(1);
      expect(err).toBe(`heaptrail ${command}: ${folder}: is a folder, not a capture file\n`);
    });
  }
  it("build: a missing captures folder", async () => {
    const { status, err } = await run(["build", "--captures", missing, "--content", join(dir, "c"), "--out", join(dir, "o")]);
    expect(status).toBe(1);
    expect(err).toBe(`heaptrail build: captures folder ${missing}: no such file or folder (ENOENT)\n`);
  });
  it("build: --out that is not a site is refused, not replaced", async () => {
    const notSite = join(dir, "project");
    mkdirSync(join(notSite, "src"), { recursive: true });
    const { status, err } = await run(["build", "--captures", dir, "--content", join(dir, "c"), "--out", notSite]);
    expect(status).toBe(1);
    expect(err).toMatch(new RegExp(`^heaptrail build: ${notSite}: exists and is not a heaptrail site[^\\n]*\\n$`));
  });
  it("stats -o into a missing folder: one line with the path", async () => {
    const capture = join(import.meta.dirname, "..", "..", "captures", "examples--threads.bin");
    const target = join(dir, "no", "such", "out.txt");
    const { status, err } = await run(["stats", "-o", target, capture]);
    expect(status).toBe(1);
    expect(err.split("\n")).toHaveLength(2);
    expect(err).toBe(`heaptrail stats: ${target}: no such file or folder (ENOENT)\n`);
  });
  it("--debug adds the stack trace", async () => {
    const { status, err } = await run(["stats", "--debug", folder]);
    expect(status).toBe(1);
    expect(err).toMatch(/\n\s+at /);
    expect(err.trimEnd().split("\n").at(-1)).toBe(`heaptrail stats: ${folder}: is a folder, not a capture file`);
  });
});

describe("--help lists every option with its default and meaning", () => {
  const expected: Record<string, Array<[flag: string, defaultText: string | null]>> = {
    stats: [["--json", null], ["-n, --num-largest N", "5"], ["-o, --output FILE", "standard output"], ["-f, --force", null]],
    flamegraph: [
      ["--leaks", null], ["--temporary-allocations", null], ["--temporary-allocation-threshold N", "off; 1 with --temporary-allocations"],
      ["--inverted", null], ["--split-threads", null], ["--format folded|json", "folded"], ["-o, --output FILE", "standard output"],
    ],
    tree: [["-b, --biggest-allocs N", "200"], ["--temporary-allocations", null], ["--temporary-allocation-threshold N", "off; 1 with --temporary-allocations"]],
    build: [
      ["--captures DIR", "captures"], ["--content DIR", "content"], ["--out DIR", "dist"], ["--site URL", "none"], ["--base PATH", "/"],
      ["--no-source", null], ["--min-frame-fraction F", "1/2000"], ["--force", null],
    ],
  };
  for (const [command, options] of Object.entries(expected)) {
    it(command, async () => {
      const { status, out } = await run([command, "--help"]);
      expect(status).toBe(0);
      expect(out).toMatch(new RegExp(`^usage: heaptrail ${command} `));
      expect(out).toContain("\noptions:\n");
      for (const [flag, defaultText] of [...options, ["-h, --help", null], ["--debug", null]] as const) {
        const line = out.split("\n").findIndex((l) => l.startsWith(`  ${flag} `) || l === `  ${flag}`);
        expect(line, `${command} --help lists ${flag}`).toBeGreaterThan(0);
        // The meaning is on the same line, or the next when the flag is long.
        const text = out.split("\n").slice(line, line + 2).join(" ").slice(flag.length + 2).trim();
        expect(text.length, `${flag} has a meaning`).toBeGreaterThan(10);
        if (defaultText !== null) expect(text).toContain(`(default: ${defaultText})`);
      }
    });
  }
});
