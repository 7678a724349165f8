/**
 * The bounds every wait in this package shares (docs/reliability.md). The resource's
 * `timeoutSeconds` and the CLI's `--timeout` are checked against the same range, and every timer
 * is clamped to what Node can schedule: a longer delay fires at once (TimeoutOverflowWarning).
 */

/** The longest deadline an operation may have: one day. */
export const MAX_TIMEOUT_SECONDS = 24 * 3600;

/** The deadline an operation gets when none is given (CLI `--timeout`, resource `timeoutSeconds`). */
export const DEFAULT_TIMEOUT_SECONDS = 1800;

/** The largest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay setTimeout will honour: never negative, never past MAX_TIMER_MS. */
export function timerMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(MAX_TIMER_MS, Math.ceil(ms));
}

/** Pure: whether `seconds` is a deadline every part of the package accepts. */
export function isValidTimeoutSeconds(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS;
}
