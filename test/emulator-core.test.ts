import { describe, expect, it } from "vitest";
import { FaultQueue } from "../src/emulator/faults";
import { RateWindow } from "../src/emulator/rate-window";
import { RequestLog } from "../src/emulator/request-log";

describe("emulator building blocks", () => {
  it("fault rules match on cloud, action and cluster, and run out after `times`", () => {
    const q = new FaultQueue();
    q.push({ cloud: "tencentcloud", action: "PauseServerless", fault: { kind: "reset" }, times: 2 });
    q.push({ clusterId: "c9", fault: { kind: "http", status: 502 } });
    expect(q.take({ cloud: "zillizcloud", action: "suspend", clusterId: "c1" })).toBeUndefined();
    expect(q.take({ cloud: "tencentcloud", action: "PauseServerless", clusterId: "c1" })?.fault.kind).toBe("reset");
    expect(q.take({ cloud: "tencentcloud", action: "PauseServerless", clusterId: "c1" })?.fault.kind).toBe("reset");
    expect(q.take({ cloud: "tencentcloud", action: "PauseServerless", clusterId: "c1" })).toBeUndefined();
    expect(q.take({ cloud: "zillizcloud", action: "describe", clusterId: "c9" })?.fault).toEqual({ kind: "http", status: 502 });
    expect(q.pending()).toBe(0);
  });

  it("the rate window admits `limit` per sliding second per key", () => {
    const w = new RateWindow(20);
    const t0 = 1_000_000;
    for (let i = 0; i < 20; i++) expect(w.admit("k", t0 + i)).toBe(true);
    expect(w.admit("k", t0 + 999)).toBe(false);
    expect(w.admit("other", t0 + 999)).toBe(true);
    expect(w.admit("k", t0 + 1000)).toBe(true); // the first request left the window
    expect(w.admit("k", t0 + 1000)).toBe(false);
  });

  it("the request log filters by cloud, action list and outcome", () => {
    const log = new RequestLog();
    const base = { at: 0, httpStatus: 200, headers: {}, body: "" };
    log.add({ ...base, cloud: "tencentcloud", action: "PauseServerless", outcome: "ok" });
    log.add({ ...base, cloud: "tencentcloud", action: "DescribeClusterDetail", outcome: "RequestLimitExceeded" });
    log.add({ ...base, cloud: "zillizcloud", action: "suspend", outcome: "ok" });
    expect(log.count({ action: ["PauseServerless", "ResumeServerless", "suspend"] })).toBe(2);
    expect(log.count({ cloud: "tencentcloud", outcome: "RequestLimitExceeded" })).toBe(1);
  });
});
