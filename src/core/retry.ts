import { MAX_TIMEOUT_SECONDS, timerMs } from "./deadline";

/** Backoff with jitter, and a retry loop that re-runs the whole request (so each attempt is re-signed). */

export interface RetryPolicy {
  /** Total attempts, the first included. Refusals (see RetryVerdict) do not count against it. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * How long refusals are retried at most. The operation's signal (its deadline, Ctrl-C) ends them
   * sooner; this bounds a caller that passes none. Default: MAX_TIMEOUT_SECONDS.
   */
  maxRefusedMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };

/**
 * What to do after a failed attempt: give up (false), try again within `maxAttempts` (true), or
 * "refused": the cloud turned the request away without acting on it (a rate limit), so repeating
 * it is always safe and it is retried until the deadline rather than a fixed number of times.
 */
export type RetryVerdict = boolean | "refused";

/** Told before each retry, so a long series of them is visible (the CLI prints a progress line). */
export interface RetryNotice {
  /** The failed attempt, 0-based. */
  attempt: number;
  delayMs: number;
  error: unknown;
  refused: boolean;
}

/** A retry of one API call, as a driver reports it (DriverRequest.onRetry). */
export interface CallRetry extends RetryNotice {
  /** The API action or operation, in the cloud's own words. */
  action: string;
  clusterId?: string;
}

/** Errors may say when to come back (the HTTP Retry-After header); the delay honours it. */
interface HasRetryAfter {
  retryAfterMs?: number;
}

/**
 * "Equal jitter": half the exponential step is fixed, half is random, so retries of many
 * concurrent operations spread out but never fire back-to-back.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Pure: the delay before the next attempt: the backoff, or longer if the cloud asked for it. */
export function retryDelay(attempt: number, policy: RetryPolicy, error: unknown, random: () => number = Math.random): number {
  const asked = (error as HasRetryAfter | undefined)?.retryAfterMs;
  const backoff = backoffDelay(attempt, policy, random);
  return typeof asked === "number" && asked > backoff ? timerMs(asked) : backoff;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, timerMs(ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, `shouldRetry` says no, or attempts run out; refusals are
 * retried until `signal` aborts (or `maxRefusedMs`). The last error is rethrown unchanged, also
 * when the signal ends a wait between attempts, so callers see the cloud's own code.
 */
export async function withRetries<T>(
  attempt: (attemptIndex: number) => Promise<T>,
  shouldRetry: (error: unknown, attemptIndex: number) => RetryVerdict,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  signal?: AbortSignal,
  onRetry?: (notice: RetryNotice) => void,
): Promise<T> {
  const started = Date.now();
  const refusalBudget = policy.maxRefusedMs ?? MAX_TIMEOUT_SECONDS * 1000;
  // Attempts that count against maxAttempts; refusals do not.
  let counted = 0;
  for (let i = 0; ; i++) {
    try {
      return await attempt(i);
    } catch (error) {
      if (signal?.aborted) throw error;
      const verdict = shouldRetry(error, i);
      if (verdict === false) throw error;
      const refused = verdict === "refused";
      if (!refused && ++counted >= policy.maxAttempts) throw error;
      const delayMs = retryDelay(refused ? i : counted - 1, policy, error);
      if (refused && Date.now() + delayMs - started > refusalBudget) throw error;
      onRetry?.({ attempt: i, delayMs, error, refused });
      try {
        await sleep(delayMs, signal);
      } catch {
        throw error;
      }
    }
  }
}
