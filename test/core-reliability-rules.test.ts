import { describe, expect, it } from "vitest";
import { lookalikes } from "../src/cli/args";
import { resultText } from "../src/cli/format";
import type { ClusterOutcome } from "../src/cli/outcome";
import { MAX_TIMER_MS, timerMs } from "../src/core/deadline";
import { CloudApiError, quoteInput, registerSecret } from "../src/core/errors";
import { retryAfterMs } from "../src/core/http";
import { pageProgress } from "../src/core/paging";
import { backoffDelay, retryDelay, withRetries, type RetryNotice } from "../src/core/retry";
import { servedBy } from "../src/core/watcher";

/** The pure pieces behind docs/reliability.md, without I/O. The probe suite drives them end to end. */

const POLICY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 };
const refusal = () => new CloudApiError({ cloud: "c", code: "RequestLimitExceeded", message: "slow down", action: "Pause", retryable: true });

describe("withRetries: refusals run until the deadline, other failures until the attempts run out", () => {
  it("refusals do not count against maxAttempts", async () => {
    let calls = 0;
    const notices: RetryNotice[] = [];
    const result = await withRetries(
      async () => {
        if (++calls <= 10) throw refusal();
        return "done";
      },
      () => "refused",
      POLICY,
      undefined,
      (n) => notices.push(n),
    );
    expect(result).toBe("done");
    expect(calls).toBe(11);
    expect(notices).toHaveLength(10);
    expect(notices.every((n) => n.refused)).toBe(true);
  });

  it("the signal ends a series of refusals, and the cloud's last answer is what the caller sees", async () => {
    const controller = new AbortController();
    const last = refusal();
    let calls = 0;
    const pending = withRetries(
      async () => {
        calls++;
        if (calls === 5) setTimeout(() => controller.abort(new Error("deadline")), 0);
        throw last;
      },
      () => "refused",
      { ...POLICY, baseDelayMs: 20, maxDelayMs: 20 },
      controller.signal,
    );
    await expect(pending).rejects.toBe(last);
    expect(calls).toBe(5);
  });

  it("without a signal, maxRefusedMs bounds them", async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw refusal();
        },
        () => "refused",
        { ...POLICY, maxRefusedMs: 0 },
      ),
    ).rejects.toBeInstanceOf(CloudApiError);
    expect(calls).toBe(1);
  });

  it("other retryable failures stop at maxAttempts", async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error("502");
        },
        () => true,
        POLICY,
      ),
    ).rejects.toThrow("502");
    expect(calls).toBe(3);
  });
});

describe("Retry-After", () => {
  it("reads delta-seconds and HTTP dates; ignores what it cannot read", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(" 0.5 ")).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(new Date(1000).toUTCString(), 4000)).toBe(0);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("waits as long as the cloud asked when that is longer than the backoff, never longer than a timer holds", () => {
    const policy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };
    const asked = (ms: number) => Object.assign(refusal(), { retryAfterMs: ms });
    expect(retryDelay(0, policy, asked(3000), () => 1)).toBe(3000);
    expect(retryDelay(0, policy, asked(10), () => 1)).toBe(backoffDelay(0, policy, () => 1));
    expect(retryDelay(0, policy, asked(1e15), () => 1)).toBe(MAX_TIMER_MS);
    expect(backoffDelay(5000, policy, () => 1)).toBe(8000);
  });
});

describe("timers", () => {
  it("never negative, never past what setTimeout holds", () => {
    expect(timerMs(-5)).toBe(0);
    expect(timerMs(Number.NaN)).toBe(0);
    expect(timerMs(1.2)).toBe(2);
    expect(timerMs(3_000_000_000)).toBe(MAX_TIMER_MS);
  });
});

describe("paging", () => {
  it("a repeated or empty page brings nothing new", () => {
    const seen = new Set<string>();
    expect(pageProgress(["a", "b"], seen)).toBe(2);
    expect(pageProgress(["a", "b"], seen)).toBe(0);
    expect(pageProgress(["b", "c"], seen)).toBe(1);
    expect(pageProgress([], seen)).toBe(0);
  });
});

describe("servedBy: a shared call lives as long as any read it serves", () => {
  it("aborts once every read has aborted, not before", () => {
    const [a, b] = [new AbortController(), new AbortController()];
    const call = servedBy([{ signal: a.signal }, { signal: b.signal }, { signal: a.signal }]);
    a.abort(new Error("deadline a"));
    expect(call.signal.aborted).toBe(false);
    b.abort(new Error("deadline b"));
    expect(call.signal.aborted).toBe(true);
    call.release();
  });

  it("is aborted at once when every read already gave up; a call serving nobody is never aborted", () => {
    const gone = new AbortController();
    gone.abort();
    expect(servedBy([{ signal: gone.signal }]).signal.aborted).toBe(true);
    expect(servedBy([]).signal.aborted).toBe(false);
  });
});

describe("echoing input", () => {
  it("cuts long values and says how long they were", () => {
    const text = quoteInput("x".repeat(100_000));
    expect(text.length).toBeLessThan(120);
    expect(text).toContain("(100000 characters)");
    expect(quoteInput("short")).toBe('"short"');
  });

  it("redacts before it cuts, so a secret across the cut leaves no piece", () => {
    const secret = "quote-input-secret-0123456789";
    registerSecret(secret);
    for (let offset = 40; offset <= 85; offset++) {
      const text = quoteInput(`${"#".repeat(offset)}${secret}${"#".repeat(50)}`);
      for (let i = 0; i + 6 <= secret.length; i++) expect(text, `offset ${offset}`).not.toContain(secret.slice(i, i + 6));
    }
  });
});

describe("credential variable names", () => {
  it("points out near misses, not unrelated variables", () => {
    const env = { TENCENTCLOUD_SECRETKEY: "x", TENCENTCLOUD_SECRET_KYE: "y", tencentcloud_secret_key: "z", PATH: "/bin", HOME: "/root" };
    expect(lookalikes("TENCENTCLOUD_SECRET_KEY", env).sort()).toEqual(["TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SECRET_KYE", "tencentcloud_secret_key"]);
    expect(lookalikes("ZILLIZCLOUD_API_KEY", env)).toEqual([]);
  });
});

describe("the summary's word on calls", () => {
  const outcome = (extra: Partial<ClusterOutcome>): ClusterOutcome => ({
    cloud: "c",
    clusterId: "c-1",
    observedState: "paused",
    rawStatus: "PAUSED",
    requestId: null,
    operation: null,
    writeCalls: 0,
    reachedTarget: true,
    elapsedMs: 1500,
    ...extra,
  });

  it("a call whose answer was lost is a call made", () => {
    expect(resultText("pause", outcome({ writeCalls: 1 }))).toBe("paused after 1.5s (a pause call was sent; its answer was lost)");
    expect(resultText("pause", outcome({ writeCalls: 1, reachedTarget: false, observedState: "pausing" }))).toBe("a pause call was sent; its answer was lost; not waiting for paused");
    expect(resultText("pause", outcome({}))).toBe("already paused; no call made");
  });
});
