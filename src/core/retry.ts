/** Backoff with jitter, and a retry loop that re-runs the whole request (so each attempt is re-signed). */

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };

/**
 * "Equal jitter": half the exponential step is fixed, half is random, so retries of many
 * concurrent operations spread out but never fire back-to-back.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
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
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, `shouldRetry` says no, or attempts run out. The last error is
 * rethrown unchanged, so callers see the cloud's own code.
 */
export async function withRetries<T>(
  attempt: (attemptIndex: number) => Promise<T>,
  shouldRetry: (error: unknown, attemptIndex: number) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  signal?: AbortSignal,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt(i);
    } catch (error) {
      if (i + 1 >= policy.maxAttempts || signal?.aborted || !shouldRetry(error, i)) throw error;
      await sleep(backoffDelay(i, policy), signal);
    }
  }
}
