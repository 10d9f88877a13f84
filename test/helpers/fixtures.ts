/**
 * The fixture catalogue: every real memray capture in test/data with memray's own outputs.
 * Every test over a real capture finds its inputs here, so adding a fixture adds it everywhere.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "data");
export const DETAILED_DIR = join(DATA_DIR, "detailed");
export const MEMRAY_DIR = join(DATA_DIR, "memray");

export interface MemrayFixture {
  /** e.g. "1.20.0/threads.native" */
  id: string;
  memrayVersion: string;
  program: string;
  mode: string;
  capturePath: string;
  headerVersion: number;
  aggregated: boolean;
  /** Companion file path, or null when memray refused that report. */
  output(kind: string): string | null;
}

const VERSIONS: Record<string, number> = { "1.18.0": 11, "1.19.3": 12, "1.20.0": 13 };
/** The memray versions whose captures and outputs are in test/data/memray. */
export const MEMRAY_VERSIONS = Object.keys(VERSIONS);

export function memrayFixtures(): MemrayFixture[] {
  const fixtures: MemrayFixture[] = [];
  for (const memrayVersion of Object.keys(VERSIONS)) {
    const dir = join(MEMRAY_DIR, memrayVersion);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith(".bin")) continue;
      const stem = file.slice(0, -4);
      const [program, mode] = stem.split(".") as [string, string];
      fixtures.push({
        id: `${memrayVersion}/${stem}`,
        memrayVersion,
        program,
        mode,
        capturePath: join(dir, file),
        headerVersion: VERSIONS[memrayVersion]!,
        aggregated: mode === "aggregate",
        output(kind: string) {
          const ext = kind === "parse" ? "parse.txt.gz" : kind === "summary" ? "summary.txt" : `${kind}.json`;
          const path = join(dir, `${stem}.${ext}`);
          return existsSync(path) ? path : null;
        },
      });
    }
  }
  return fixtures;
}

export interface DetailedFixture {
  name: string;
  capturePath: string;
  headerVersion: number;
  // memray's FileReader view of the capture (see test/data/detailed/README.md).
  expected: Record<string, any>;
}

export function detailedFixtures(): DetailedFixture[] {
  const dir = DETAILED_DIR;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".expected.json"))
    .sort()
    .map((f) => {
      const name = f.replace(".expected.json", "");
      return {
        name,
        capturePath: join(dir, `${name}.bin`),
        headerVersion: Number(name.slice(1, 3)),
        expected: JSON.parse(readFileSync(join(dir, f), "utf8")),
      };
    });
}

/** `memray parse` output as lines of `TYPE key=value …`. */
export function parseLines(path: string): string[] {
  return gunzipSync(readFileSync(path)).toString("utf8").split("\n").filter(Boolean);
}

/** The `key=value` fields of a parse line (values without spaces only). */
export function parseFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=(\S*)/g)) fields[m[1]!] = m[2]!;
  return fields;
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, "utf8"));
}
