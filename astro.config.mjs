// Site build settings. `heaptrail build` (runAstroBuild in src/content/build.ts) passes outDir,
// site, base and publicDir (the content folder's data files) inline and names the content folder
// in HEAPTRAIL_CONTENT_DIR; the values here are what `astro dev` uses on its own.
import react from "@astrojs/react";
import { defineConfig } from "astro/config";

export default defineConfig({
  integrations: [react()],
  publicDir: `${process.env.HEAPTRAIL_CONTENT_DIR ?? "content"}/public`,
  build: { format: "directory", inlineStylesheets: "auto" },
  // Nothing at run time may come from elsewhere: no prefetch of other origins, no fonts.
  prefetch: false,
  devToolbar: { enabled: false },
});
