// Paths and small readers shared by the analysis tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const DATA_DIR = fileURLToPath(new URL("../data/", import.meta.url));
export const DETAILED_DIR = `${DATA_DIR}detailed`;
export const MEMRAY_DIR = `${DATA_DIR}memray`;
export const MEMRAY_VERSIONS = ["1.18.0", "1.19.3", "1.20.0"] as const;

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}
