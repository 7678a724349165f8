import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter } from "../src/core/rate-limit";
import { backoffDelay, withRetries, DEFAULT_RETRY_POLICY } from "../src/core/retry";
import { isLoopbackHost, safeEndpoint } from "../src/core/http";
import { ConfigurationError, redact, registerSecret } from "../src/core/errors";

/** A manual clock: the limiter asks `now()`, timers still run on real time but we only count grants. */
function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("SlidingWindowLimiter", () => {
  it("never grants more than the limit in any window, and serves waiters in arrival order", async () => {
    const limiter = new SlidingWindowLimiter({ limit: 5, windowMs: 100, marginMs: 5 });
    const grants: Array<{ i: number; t: number }> = [];
    await Promise.all(Array.from({ length: 23 }, (_, i) => limiter.acquire("k").then(() => grants.push({ i, t: performance.now() }))));
    expect(grants.map((g) => g.i)).toEqual([...Array(23).keys()]);
    expect(maxInAnyWindow(grants.map((g) => g.t), 100)).toBeLessThanOrEqual(5);
  });

  it("keeps separate lanes per key", async () => {
    const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 10_000, marginMs: 0 });
    await limiter.acquire("a");
    await limiter.acquire("a");
    // Lane "a" is now full for 10 s; lane "b" must not be affected.
    await limiter.acquire("b");
    let third = false;
    void limiter.acquire("a").then(() => (third = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    expect(limiter.queued("a")).toBe(1);
  });

  it("drops an aborted waiter from the queue", async () => {
    const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 10_000, marginMs: 0 });
    await limiter.acquire("k");
    const ac = new AbortController();
    const pending = limiter.acquire("k", ac.signal);
    ac.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(limiter.queued("k")).toBe(0);
  });
});

describe("backoff and retries", () => {
  it("stays within [step/2, step] and is capped", () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const step = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt);
      expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => 0)).toBe(step / 2);
      expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => 1)).toBe(step);
    }
  });

  it("retries only what the predicate allows, and rethrows the last error unchanged", async () => {
    const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 };
    let calls = 0;
    const retryable = new Error("busy");
    await expect(
      withRetries(async () => {
        calls++;
        throw retryable;
      }, () => true, policy),
    ).rejects.toBe(retryable);
    expect(calls).toBe(4);

    calls = 0;
    const fatal = new Error("auth");
    await expect(
      withRetries(async () => {
        calls++;
        throw fatal;
      }, (e) => e !== fatal, policy),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });
});

describe("endpoint rule", () => {
  it("accepts https anywhere and http only on loopback", () => {
    expect(safeEndpoint("https://cynosdb.tencentcloudapi.com", "endpoint").host).toBe("cynosdb.tencentcloudapi.com");
    expect(safeEndpoint("cynosdb.ap-guangzhou.tencentcloudapi.com", "endpoint").protocol).toBe("https:");
    for (const ok of ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "http://127.3.4.5"]) {
      expect(safeEndpoint(ok, "endpoint").protocol).toBe("http:");
    }
    for (const bad of ["http://10.0.0.1", "http://example.com", "http://192.168.1.1:80", "ftp://127.0.0.1"]) {
      expect(() => safeEndpoint(bad, "endpoint")).toThrow(ConfigurationError);
    }
    expect(() => safeEndpoint("https://user:pw@example.com", "endpoint")).toThrow(/must not contain user:password/);
    expect(isLoopbackHost("127.0.0.1.example.com")).toBe(false);
  });

  it("names the field in the error", () => {
    try {
      safeEndpoint("http://example.com", "zillizcloud:endpoint");
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigurationError).field).toBe("zillizcloud:endpoint");
      expect((e as Error).message).toMatch(/^zillizcloud:endpoint: .*https/);
    }
  });
});

describe("redact", () => {
  it("removes registered secrets and credential-shaped fragments", () => {
    registerSecret("SK-canary-7d1f0a");
    const text = redact('failed: key SK-canary-7d1f0a, Authorization: Bearer abc.def-123, "Signature=deadbeef00"');
    expect(text).not.toContain("SK-canary-7d1f0a");
    expect(text).not.toContain("abc.def-123");
    expect(text).not.toContain("deadbeef00");
  });
});
