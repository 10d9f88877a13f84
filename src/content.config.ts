import { defineCollection } from "astro:content";
import { runsLoader } from "./content/loader.ts";
import { runEntrySchema } from "./content/schema.ts";

export const collections = {
  runs: defineCollection({ loader: runsLoader(), schema: runEntrySchema }),
};
