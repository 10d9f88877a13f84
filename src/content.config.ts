import { defineCollection } from "astro:content";
import { z } from "astro/zod";
import { runsLoader } from "./content/loader.ts";
import { runEntrySchema } from "./content/schema.ts";

export const collections = {
  // The schema in zod, as Astro reads it (the command line checks with it and never loads zod).
  runs: defineCollection({ loader: runsLoader(), schema: runEntrySchema.toZod(z) }),
};
