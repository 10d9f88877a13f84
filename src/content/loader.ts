/**
 * The content loader for runs (Starlight style: a small named factory). Reads the small entries
 * of the ledger (ledger.ts); large data stays in static files the page fetches. Text fields reach
 * the pages capped (display.ts); the entry files keep them whole.
 */
import type { Loader } from "astro/loaders";
import { capEntryText } from "./display.ts";
import { entryIds, entryPath, readEntryText } from "./ledger.ts";

export interface RunsLoaderOptions {
  /** Where writeRun put the entries. Default: $HEAPTRAIL_CONTENT_DIR or "content". */
  contentDir?: string;
}

export function runsLoader(options: RunsLoaderOptions = {}): Loader {
  return {
    name: "heaptrail-runs",
    async load({ store, parseData, generateDigest, logger }) {
      const contentDir = options.contentDir ?? process.env.HEAPTRAIL_CONTENT_DIR ?? "content";
      const seen = new Set<string>();
      for (const id of entryIds(contentDir)) {
        seen.add(id);
        try {
          const raw = readEntryText(contentDir, id);
          const digest = generateDigest(raw);
          if (store.get(id)?.digest === digest) continue;
          const data = await parseData({ id, data: capEntryText(JSON.parse(raw)) as Record<string, unknown>, filePath: entryPath(contentDir, id) });
          store.set({ id, data, digest });
        } catch (e) {
          // One bad entry must not take the site down with it.
          logger.warn(`skipping ${id}.json: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      for (const id of store.keys()) if (!seen.has(id)) store.delete(id);
    },
  };
}
