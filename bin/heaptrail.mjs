#!/usr/bin/env node
// The `heaptrail` command, for Node >= 22.12 (written so that older Nodes can run this file and
// say so). It runs the JavaScript compiled into lib/ (by `npm pack`, or a checkout's set-up)
// while no source is newer, else the TypeScript sources through Node's type stripping (default
// from 22.18; 22.12-22.17 need the flag, so we re-run ourselves with it).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const MINIMUM = [22, 12];
const self = fileURLToPath(import.meta.url);
const root = dirname(dirname(self));
const args = process.argv.slice(2);

function recentEnough(version) {
  const [major, minor] = version.split(".").map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);
}

/**
 * In a checkout, lib/ (compiled by `scripts/run.sh`) is used only while no source (src/**.ts)
 * is newer: an edited checkout runs its sources, never stale JavaScript. (Type stripping
 * costs every process ~38 MB of RSS and ~0.15 s, measured on `heaptrail stats`; so the set-up
 * compiles.) Under node_modules lib/ is always used: Node refuses to strip types there.
 */
function staleSince(builtMs) {
  const newer = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() ? newer(p) : e.name.endsWith(".ts") && statSync(p).mtimeMs > builtMs) return true;
    }
    return false;
  };
  return newer(join(root, "src"));
}

function runWith(node, nodeArgs) {
  const result = spawnSync(node, [...nodeArgs, self, ...args], { stdio: "inherit", env: { ...process.env, HEAPTRAIL_REEXEC: "1" } });
  if (result.error) {
    console.error(`heaptrail: cannot run ${node}: ${result.error.message}`);
    process.exit(2);
  }
  process.exit(result.status ?? 1);
}

if (!recentEnough(process.versions.node)) {
  // The README's set-up (scripts/run.sh) puts Node 22 into .tools/ when the system's is older:
  // use it, so `npx heaptrail` works in the same shell after the set-up.
  const tools = join(root, ".tools", "node", "node_modules");
  const candidates = process.platform === "win32"
    ? [join(tools, "node", "bin", "node.exe"), join(tools, ".bin", "node.exe")]
    : [join(tools, ".bin", "node"), join(tools, "node", "bin", "node")];
  const node = candidates.find((p) => existsSync(p));
  if (node !== undefined && process.env.HEAPTRAIL_REEXEC !== "1") runWith(node, []);
  console.error(
    `heaptrail needs Node >= ${MINIMUM.join(".")} (this is ${process.versions.node}). ` +
      "Install a newer Node, or run `bash scripts/run.sh build` in a checkout: it puts one into .tools/.",
  );
  process.exit(2);
}

// Two settings for the commands that analyse captures, both set before Node starts, hence one
// exec (~40 ms) before anything is loaded; a value already given is kept:
// - glibc keeps freed memory of its dynamic mmap threshold in the heap, so the big typed columns
//   one stage frees are not returned before the next stage grows its own. A fixed 4 MiB
//   threshold maps (and unmaps) every larger array: `ingest` of a real sympy capture peaked at
//   ~810 instead of ~900 MB, at the same CPU time (1 MiB: ~790 MB, +0.6 s of system time).
// - V8's young generation grows to 16 MB semi-spaces when the analysis makes short-lived numbers
//   fast, though next to nothing survives there (the data are typed columns): 1 MB semi-spaces
//   lowered the ingest peaks by 10-27 MB (generated_pyalloc_x1 123 → 113 MiB, json_churn
//   109 → 95, generated_cardinality 405 → 378), x1 taking ~5% longer and the others no longer
//   than the run-to-run spread.
const ANALYSING = new Set(["ingest", "build", "ci", "flamegraph", "tree", "compare"]);
if (process.platform === "linux" && ANALYSING.has(args[0]) && process.env.MALLOC_MMAP_THRESHOLD_ === undefined && typeof process.execve === "function") {
  const semiSpace = process.execArgv.some((a) => a.startsWith("--max-semi-space-size")) ? [] : ["--max-semi-space-size=1"];
  process.execve(process.execPath, [process.execPath, ...semiSpace, ...process.execArgv, self, ...args], { ...process.env, MALLOC_MMAP_THRESHOLD_: String(4 << 20) });
}

const compiled = join(root, "lib", "cli", "main.js");
let entry;
if (existsSync(compiled) && (root.split(sep).includes("node_modules") || !staleSince(statSync(compiled).mtimeMs))) {
  entry = pathToFileURL(compiled).href;
} else {
  if (!process.features.typescript) runWith(process.execPath, ["--experimental-strip-types", "--no-warnings"]);
  entry = pathToFileURL(join(root, "src", "cli", "main.ts")).href;
}
const { main } = await import(entry);
process.exitCode = await main(args);
