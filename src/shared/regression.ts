/**
 * The one regression rule: the site's markers, the PR comment and `heaptrail compare
 * --fail-above` all call `isRegression`, so a page and the CI gate never disagree.
 */

/** Growth (percent of the base) above which a change is a regression. */
export const DEFAULT_FAIL_ABOVE_PCT = 10;
/** Growth below this many bytes is never a regression, so tiny benchmarks do not flap. 1 MiB. */
export const DEFAULT_MIN_BYTES = 1 << 20;

export interface RegressionRule {
  /** Percent of the base value; default DEFAULT_FAIL_ABOVE_PCT. */
  failAbovePct?: number;
  /** Absolute growth in bytes that must also be exceeded; default DEFAULT_MIN_BYTES. */
  minBytes?: number;
}

/** Change from base to head, in bytes and percent of the base (null when the base is 0). */
export function change(baseBytes: number, headBytes: number): { deltaBytes: number; deltaPct: number | null } {
  const deltaBytes = headBytes - baseBytes;
  return { deltaBytes, deltaPct: baseBytes === 0 ? null : (deltaBytes / baseBytes) * 100 };
}

/** True when head grew by more than `failAbovePct` percent of base and by more than `minBytes`. */
export function isRegression(baseBytes: number, headBytes: number, rule: RegressionRule = {}): boolean {
  const failAbovePct = rule.failAbovePct ?? DEFAULT_FAIL_ABOVE_PCT;
  const minBytes = rule.minBytes ?? DEFAULT_MIN_BYTES;
  const { deltaBytes, deltaPct } = change(baseBytes, headBytes);
  if (deltaBytes <= minBytes) return false;
  // Growth from nothing is infinite growth.
  return deltaPct === null || deltaPct > failAbovePct;
}

/**
 * Drift: a trend rule beside the step rule. A run drifts when its value exceeds the baseline of
 * its series (the minimum of the last `windowRuns` comparable ok runs on the default branch
 * before it) by more than `driftAbovePct` percent and more than `minBytes`: slow creep that no
 * single step shows. The minimum, not the median: memory figures of one program repeat to the
 * byte, so the lowest recent run is the level the code had, and a median would hide half the creep.
 */
export const DEFAULT_DRIFT_WINDOW = 10;
export const DEFAULT_DRIFT_ABOVE_PCT = 10;

export interface DriftRule {
  /** How many runs the baseline window holds; default DEFAULT_DRIFT_WINDOW. */
  windowRuns?: number;
  /** Percent of the baseline; default DEFAULT_DRIFT_ABOVE_PCT. */
  driftAbovePct?: number;
  /** Absolute growth that must also be exceeded; default DEFAULT_MIN_BYTES. */
  minBytes?: number;
}

/** True when head exceeds the baseline by more than the drift rule's percent and bytes. */
export function isDrift(baselineBytes: number, headBytes: number, rule: DriftRule = {}): boolean {
  return isRegression(baselineBytes, headBytes, { failAbovePct: rule.driftAbovePct ?? DEFAULT_DRIFT_ABOVE_PCT, minBytes: rule.minBytes ?? DEFAULT_MIN_BYTES });
}
