// Site build settings. scripts/build-site.ts and src/content/build.ts pass outDir/site/base and
// publicDir (the generated data files) inline; these are the defaults for `astro dev`.
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
