// Site build settings. `heaptrail build` (src/cli/build-site.ts) starts from these and sets root, srcDir,
// outDir, site, base, publicDir and the caches inline (all under --content and --out); as they
// stand here they serve `astro dev` and `astro sync` in a checkout.
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
