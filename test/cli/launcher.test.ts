// After the README's set-up, `npx heaptrail` runs even when the Node first on
// PATH is older than 22.12: bin/heaptrail.mjs re-runs itself with the Node the set-up put into
// .tools/. Simulated with a copy of bin/ whose .tools/ links to this test's own Node.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");

/** A Node older than 22.12 on this machine (the system's, on CI), or null. */
function oldNode(): string | null {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node", "/bin/node"]) {
    try {
      const version = execFileSync(candidate, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
      const [major, minor] = version.split(".").map(Number) as [number, number];
      if (major < 22 || (major === 22 && minor < 12)) return candidate;
    } catch {
      // not there
    }
  }
  return null;
}

const old = oldNode();
const root = mkdtempSync(join(tmpdir(), "heaptrail-launcher-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(old === null)("bin/heaptrail.mjs under an old Node", () => {
  it("says what it needs when no newer Node is at hand", () => {
    const bare = join(root, "bare");
    mkdirSync(join(bare, "bin"), { recursive: true });
    copyFileSync(join(REPO, "bin", "heaptrail.mjs"), join(bare, "bin", "heaptrail.mjs"));
    const result = spawnSync(old!, [join(bare, "bin", "heaptrail.mjs"), "--version"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^heaptrail needs Node >= 22\.12 \(this is \d+\.\d+\.\d+\)/);
  });

  it("re-runs itself with the set-up's .tools/ Node", () => {
    const pkg = join(root, "pkg");
    mkdirSync(join(pkg, "bin"), { recursive: true });
    copyFileSync(join(REPO, "bin", "heaptrail.mjs"), join(pkg, "bin", "heaptrail.mjs"));
    symlinkSync(join(REPO, "src"), join(pkg, "src"));
    mkdirSync(join(pkg, ".tools", "node", "node_modules", ".bin"), { recursive: true });
    symlinkSync(process.execPath, join(pkg, ".tools", "node", "node_modules", ".bin", "node"));
    const result = spawnSync(old!, [join(pkg, "bin", "heaptrail.mjs"), "stats", "--json", join(REPO, "captures", "examples--threads.bin")], {
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).metadata.file_format).toBe(0);
  });
});

// bin/heaptrail.mjs runs lib/ (compiled by scripts/run.sh) only while no source is newer, and
// always under node_modules. Told apart by stub entry points that say which one ran.
describe("bin/heaptrail.mjs: compiled lib/ or the sources", () => {
  const make = (pkg: string): void => {
    mkdirSync(join(pkg, "bin"), { recursive: true });
    mkdirSync(join(pkg, "lib", "cli"), { recursive: true });
    mkdirSync(join(pkg, "src", "cli"), { recursive: true });
    copyFileSync(join(REPO, "bin", "heaptrail.mjs"), join(pkg, "bin", "heaptrail.mjs"));
    writeFileSync(join(pkg, "src", "cli", "main.ts"), 'export async function main(): Promise<number> { console.log("src"); return 0; }\n');
    writeFileSync(join(pkg, "lib", "cli", "main.js"), 'export async function main() { console.log("lib"); return 0; }\n');
  };
  const ran = (pkg: string): string => execFileSync(process.execPath, [join(pkg, "bin", "heaptrail.mjs")], { encoding: "utf8" }).trim();
  const age = (path: string, seconds: number): void => {
    const t = new Date(Date.now() - seconds * 1000);
    utimesSync(path, t, t);
  };

  it("runs lib/ while it is newer than every source, the sources once one is edited", () => {
    const pkg = join(root, "checkout");
    make(pkg);
    age(join(pkg, "src", "cli", "main.ts"), 60);
    expect(ran(pkg)).toBe("lib");
    age(join(pkg, "lib", "cli", "main.js"), 120);
    expect(ran(pkg)).toBe("src");
  });

  it.skipIf(process.platform !== "linux" || typeof process.execve !== "function")(
    "gives the commands that analyse captures glibc's fixed mmap threshold, once, keeping a value already set",
    () => {
      const pkg = join(root, "malloc");
      make(pkg);
      writeFileSync(join(pkg, "lib", "cli", "main.js"), "export async function main(argv) { console.log(argv[0], process.env.MALLOC_MMAP_THRESHOLD_); return 0; }\n");
      const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: undefined };
      const out = (args: string[], e: NodeJS.ProcessEnv) => execFileSync(process.execPath, [join(pkg, "bin", "heaptrail.mjs"), ...args], { encoding: "utf8", env: e }).trim();
      expect(out(["ingest"], env)).toBe(`ingest ${4 << 20}`);
      expect(out(["stats"], env)).toBe("stats undefined");
      expect(out(["build"], { ...env, MALLOC_MMAP_THRESHOLD_: "65536" })).toBe("build 65536");
    },
  );

  it("always runs lib/ under node_modules (Node strips no types there)", () => {
    const pkg = join(root, "node_modules", "heaptrail");
    make(pkg);
    age(join(pkg, "lib", "cli", "main.js"), 120);
    expect(ran(pkg)).toBe("lib");
  });
});
