// What the set-up and a fresh clone rely on. The lock file records every
// platform's optional packages (else `npm ci` refuses it on another OS), the set-up never
// rewrites it, one minimum Node everywhere, and the e2e suite and the benchmarks need nothing
// outside the repository.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCaptureFile } from "../../src/reader/index.ts";
import { churnCapture, wideTreeCapture } from "../../bench/generate.ts";

const REPO = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFileSync(join(REPO, path), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "heaptrail-setup-"));
function writeTemp(name: string, bytes: Uint8Array): string {
  writeFileSync(join(tmp, name), bytes);
  return join(tmp, name);
}


describe("the lock file and the set-up", () => {
  const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { optionalDependencies?: Record<string, string> }> };

  it("records every optional package of every platform (npm ci on Linux, macOS and Windows)", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        // Node's lookup: the package's own node_modules, then each enclosing one.
        const parts = path.split("node_modules/").filter(Boolean).map((p) => p.replace(/\/$/, ""));
        let found = false;
        for (let depth = parts.length; depth >= 0 && !found; depth--) {
          const prefix = parts.slice(0, depth).map((p) => `node_modules/${p}/`).join("");
          found = `${prefix}node_modules/${name}` in lock.packages;
        }
        if (!found) missing.push(`${path || "(root)"} -> ${name}`);
      }
    }
    expect(missing).toEqual([]);
    for (const platform of ["darwin-arm64", "win32-x64-msvc", "linux-x64-gnu"]) {
      expect(Object.keys(lock.packages)).toContain(`node_modules/@rollup/rollup-${platform}`);
    }
  });

  it("installs with npm ci, which never rewrites package-lock.json", () => {
    const script = read("scripts/run.sh");
    expect(script).toMatch(/^\s*npm ci\b/m);
    expect(script).not.toMatch(/^\s*npm install(?! --prefix \.tools)/m);
  });

  it("has one minimum Node: package.json, the set-up, the command and the bench scripts", () => {
    const pkg = JSON.parse(read("package.json")) as { engines: { node: string }; scripts: Record<string, string> };
    expect(pkg.engines.node).toBe(">=22.12");
    expect(read("scripts/run.sh")).toContain("a > 22 || (a === 22 && b >= 12)");
    expect(read("bin/heaptrail.mjs")).toContain("const MINIMUM = [22, 12];");
    // Node 22.12-22.17 run .ts files only with the flag: every script that runs one passes it.
    for (const [name, script] of Object.entries(pkg.scripts)) {
      for (const command of script.split("&&")) {
        if (/^\s*node\b.*\.ts\b/.test(command)) expect(command, `npm run ${name}`).toContain("--experimental-strip-types");
      }
    }
  });
});

describe("a fresh clone has nothing beside it", () => {
  it("the e2e suite reads the repository's own captures", () => {
    const setup = read("test/e2e/global-setup.ts");
    expect(setup).not.toMatch(/["'`]\/(work|home|tmp)\//);
    expect(setup).toContain('join(import.meta.dirname, "..", "..", "captures")');
  });

  it("the benchmarks fall back to captures made by the test capture writer, which read back whole", () => {
    expect(read("bench/run.ts")).toContain("generatedBenchDir()");
    expect(read("bench/page.ts")).toContain("generatedBenchDir()");
    const churn = readCaptureFile(writeTemp("churn.bin", churnCapture(5_000)), {});
    expect(churn.summary.nAllocationRecords).toBeGreaterThanOrEqual(5_000);
    expect(churn.summary.complete).toBe(true);
    const wide = readCaptureFile(writeTemp("wide.bin", wideTreeCapture(300)), {});
    expect(wide.summary.nAllocationRecords).toBe(1_200);
    expect(wide.header.commandLine).toBe("python wide_tree.py");
  });
});

