/**
 * The content loader for runs (Starlight style: a small named factory). Reads the small entries
 * `<contentDir>/runs/*.json`; large data stays in static files the page fetches. Text fields reach
 * the pages capped (display.ts); the entry files keep them whole.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Loader } from "astro/loaders";
import { capEntryText } from "./display.ts";
import { runsDir } from "./write.ts";

export interface RunsLoaderOptions {
  /** Where writeRun put the entries. Default: $HEAPTRAIL_CONTENT_DIR or "content". */
  contentDir?: string;
}

export function runsLoader(options: RunsLoaderOptions = {}): Loader {
  return {
    name: "heaptrail-runs",
    async load({ store, parseData, generateDigest, logger }) {
      const dir = runsDir(options.contentDir ?? process.env.HEAPTRAIL_CONTENT_DIR ?? "content");
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
      const seen = new Set<string>();
      for (const file of files) {
        const id = file.slice(0, -".json".length);
        seen.add(id);
        try {
          const raw = readFileSync(join(dir, file), "utf8");
          const digest = generateDigest(raw);
          if (store.get(id)?.digest === digest) continue;
          const data = await parseData({ id, data: capEntryText(JSON.parse(raw)) as Record<string, unknown>, filePath: join(dir, file) });
          store.set({ id, data, digest });
        } catch (e) {
          // One bad entry must not take the site down with it.
          logger.warn(`skipping ${file}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      for (const id of store.keys()) if (!seen.has(id)) store.delete(id);
    },
  };
}
