// The one-way pipeline, enforced (README "How it is built"): shared -> reader -> analysis -> symbols ->
// content -> site -> components -> layouts/pages, the command line (src/cli) on top. No module
// imports a later stage; type-only imports count too. Run by `bash scripts/run.sh test`.
const STAGES = ["shared", "reader", "analysis", "symbols", "content", "site", "components", "layouts", "pages", "cli"];

/** A rule forbidding `stage` to import any stage after it. */
function noUpward(stage, index) {
  const later = STAGES.slice(index + 1).filter((s) => !(stage === "layouts" && s === "pages"));
  return {
    name: `no-upward-from-${stage}`,
    comment: `src/${stage}/ may not import a later stage (${later.join(", ")}): the pipeline is one-way`,
    severity: "error",
    from: { path: `^src/${stage}/` },
    to: { path: `^src/(${later.join("|")})/` },
  };
}

module.exports = {
  forbidden: [
    ...STAGES.slice(0, -1).map(noUpward),
    {
      name: "no-site-to-analysis",
      // The browser code is the site stage; it reads the content stage's shapes (decoded
      // columns, and the tree diff beside them in content/diff.ts), not the analysis' trees.
      comment: "src/site/, src/components/, layouts and pages use src/content/ shapes, not src/analysis/",
      severity: "error",
      from: { path: "^src/(site|components|layouts|pages)/" },
      to: { path: "^src/analysis/" },
    },
    {
      name: "no-cli-to-browser",
      // The commands orchestrate the stages and run Astro on the site's sources; formatting they
      // share with the pages lives below both, in src/shared/.
      comment: "src/cli/ does not import the browser code (src/site, components, layouts, pages)",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/(site|components|layouts|pages)/" },
    },
    {
      name: "no-reader-to-later",
      comment: "src/reader/ knows bytes only",
      severity: "error",
      from: { path: "^src/reader/" },
      to: { path: "^src/(?!reader/|shared/)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    exclude: { path: "\\.d\\.ts$" },
  },
};
