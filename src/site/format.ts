/** The pages' number formatting: the shared module below every stage (src/shared/format.ts). */
export * from "../shared/format.ts";
