/**
 * The content stage's JSON shapes, versioned. Imported by the build script (writeRun), by
 * src/content.config.ts (the collection schema) and, for the data files, by the browser-side
 * decoders in src/content/columnar.ts. Nothing else should know these shapes.
 *
 * The data files' plain shapes live in shapes.ts (re-exported here) so the page can import them
 * without zod. Bump SCHEMA_VERSION (shapes.ts) whenever a shape or its meaning changes.
 */
import { s as z, type Infer, type Shape } from "./shape.ts";
import { SCHEMA_VERSION, type DataRef } from "./shapes.ts";

export * from "./shapes.ts";

/**
 * What a run measured, as given (`<name>.meta.json`, `--meta KEY=VALUE`, the CI environment,
 * git): every field optional and untrusted. The resolved values the site orders and groups by
 * are the entry's own `benchmark`, `branch`, `commit`, `timeMs`, `keep`.
 */
export const runMetaSchema = z.object({
  benchmark: z.string().nullish(),
  commit: z.string().nullish(),
  branch: z.string().nullish(),
  /** ISO 8601. */
  timestamp: z.string().nullish(),
  message: z.string().nullish(),
  pr: z.union([z.string(), z.number()]).nullish(),
  author: z.string().nullish(),
  /** `owner/name` (GitHub's GITHUB_REPOSITORY). */
  repository: z.string().nullish(),
  /** Link to the CI run that produced the capture. */
  ciRunUrl: z.string().nullish(),
  /** Branch a pull request targets (GITHUB_BASE_REF). */
  baseBranch: z.string().nullish(),
  /** The run's memory budget in bytes (`heaptrail ci --budget`): the site marks a peak above it. */
  budget: z.number().nullish(),
  /** The group the index shows the benchmark in (default: a test id's file; see suites.ts). */
  group: z.string().nullish(),
  /** `true` pins the run's full flame data against retention (`--keep-full`). */
  keep: z.boolean().nullish(),
});
export type RunMeta = Infer<typeof runMetaSchema>;

/** A pointer from a run entry to one of its static data files (relative to the site base). */
export const dataRefSchema: Shape<DataRef> = z.object({
  path: z.string(),
  sizeBytes: z.number(),
  nodes: z.number().optional(),
  totalNodes: z.number().optional(),
});

const nullableRef = dataRefSchema.nullable();

export const statsSchema = z.object({
  totalNumAllocations: z.number(),
  totalBytesAllocated: z.number(),
  peakMemoryBytes: z.number(),
  allocationSizeHistogram: z.array(z.object({ minBytes: z.number(), maxBytes: z.number(), count: z.number() })),
  allocatorTypeDistribution: z.array(z.object({ allocator: z.string(), count: z.number() })),
  topAllocationsBySize: z.array(z.object({ location: z.string(), sizeBytes: z.number() })),
  topAllocationsByCount: z.array(z.object({ location: z.string(), count: z.number() })),
  topModulesBySize: z.array(z.object({ module: z.string(), sizeBytes: z.number() })).nullable(),
  topModulesByCount: z.array(z.object({ module: z.string(), count: z.number() })).nullable(),
});

const entryBase = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** URL-safe, stable and unique id (see the content stage's run-id rule). */
  id: z.string(),
  fileName: z.string(),
  /** sha256 of the capture file. */
  captureHash: z.string(),
  /** Digest of everything the entry was made from (capture, meta, settings): see `buildDigest`. */
  buildDigest: z.string(),
  meta: runMetaSchema,
  /** Resolved at ingest: what the history groups, orders and links by. */
  benchmark: z.string(),
  /** null when unknown (no meta, no CI, no git). */
  branch: z.string().nullable(),
  /** Full commit sha, or null. */
  commit: z.string().nullable(),
  /** The run's time on the history axis: meta timestamp, else commit date, else capture start. */
  timeMs: z.number(),
};

/** One call site at the peak: an allocating location and the bytes live there at the peak. */
export const callSiteSchema = z.object({
  function: z.string(),
  filename: z.string(),
  lineno: z.number(),
  sizeBytes: z.number(),
  nAllocations: z.number(),
});
export type CallSite = Infer<typeof callSiteSchema>;

export const failedRunSchema = z.object({
  ...entryBase,
  status: z.literal("failed"),
  error: z.string(),
});

export const okRunSchema = z.object({
  ...entryBase,
  status: z.literal("ok"),
  header: z.object({
    version: z.number(),
    /** "3.11.2", or null before header 12. */
    pythonVersion: z.string().nullable(),
    nativeTraces: z.boolean(),
    aggregated: z.boolean(),
    commandLine: z.string(),
    pid: z.number(),
    pythonAllocator: z.string(),
    tracePythonAllocators: z.boolean(),
    startTimeMs: z.number(),
    endTimeMs: z.number(),
  }),
  durationMs: z.number(),
  complete: z.boolean(),
  readWarning: z.string().nullable(),
  fileSizeBytes: z.number().nullable(),
  peakMemoryBytes: z.number(),
  leakedBytes: z.number(),
  /** From stats; null for aggregated captures. */
  totalBytesAllocated: z.number().nullable(),
  nAllocations: z.number().nullable(),
  stats: statsSchema.nullable(),
  /** Thread labels as flame nodes carry them, sorted. */
  threads: z.array(z.string()),
  minFrameFraction: z.number(),
  /** The biggest call sites at the peak (kept forever, for call-site trends and comparisons). */
  topCallSites: z.array(callSiteSchema),
  /** True when retention dropped the full flame data: every `data` ref is then null. */
  dataPruned: z.boolean(),
  /** memray's --temporary-allocation-threshold the temporary view was made with. */
  temporaryAllocationThreshold: z.number(),
  data: z.object({
    peak: nullableRef,
    leaks: nullableRef,
    temporary: nullableRef,
    /** Split-by-thread variants; null when the capture has a single thread. */
    peakByThread: nullableRef,
    leaksByThread: nullableRef,
    temporaryByThread: nullableRef,
    inverted: nullableRef,
    invertedNoImports: nullableRef,
    temporalHighWaterMark: nullableRef,
    temporalLeaks: nullableRef,
    memory: nullableRef,
    tree: nullableRef,
    /** Source lines of the frames shown; null with `noSource` or when no file was found. */
    source: nullableRef,
  }),
});

export const runEntrySchema = z.discriminatedUnion("status", [okRunSchema, failedRunSchema]);
export type RunEntry = Infer<typeof runEntrySchema>;
export type OkRunEntry = Infer<typeof okRunSchema>;
export type FailedRunEntry = Infer<typeof failedRunSchema>;

