import { describe, expect, it } from "vitest";
import { CloudApiError } from "../src/core/errors";
import { TransportError } from "../src/core/http";
import type { AsyncOperationStatus, ClusterSnapshot, PowerState } from "../src/core/power";
import {
  FIRST_ACTION,
  initialState,
  step,
  type TransitionAction,
  type TransitionContext,
  type TransitionEvent,
  type WaitPolicy,
} from "../src/core/transition";

/*
 * The fault scenarios of a transition as tables: the events the loop would report, and the
 * actions the pure step must answer with. No I/O, no timers: a virtual clock advances only when a
 * sleep ends (at the instant it was scheduled for).
 */

const POLICY: WaitPolicy = { firstDelayMs: 100, factor: 2, maxDelayMs: 400, graceReads: 2, operationStatusEvery: 3, maxWrites: 2 };

const context = (extra: Partial<TransitionContext> = {}, policy: Partial<WaitPolicy> = {}): TransitionContext => ({
  clusterId: "c1",
  target: "paused",
  wait: true,
  deadline: 60_000,
  policy: { ...POLICY, ...policy },
  canAskStatus: true,
  ...extra,
});

const snap = (power: PowerState, extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({ clusterId: "c1", power, rawStatus: `raw-${power}`, ...extra });

interface Clock {
  now: number;
  /** The instant the last sleep was scheduled to end. */
  until: number;
  /** Write calls answered so far, to number receipts req-1, req-2, ... */
  answered: number;
}
type Ev = { label: string; make: (clock: Clock) => TransitionEvent };
type Facts = { stateConflict?: boolean; aborted?: boolean; expired?: boolean };

const read = (power: PowerState, extra: Partial<ClusterSnapshot> = {}): Ev => ({ label: `read ${power}`, make: ({ now }) => ({ type: "read", snapshot: snap(power, extra), now }) });
const wrote: Ev = {
  label: "wrote",
  make: ({ now, answered }) => ({ type: "wrote", receipt: { operation: "pause", requestId: `req-${answered + 1}`, flowId: 101 + answered }, sentAt: now, now }),
};
const writeFailed = (label: string, error: unknown, facts: Facts = {}): Ev => ({
  label,
  make: ({ now }) => ({ type: "write-failed", error, stateConflict: false, aborted: false, expired: false, ...facts, sentAt: now, now }),
});
const callFailed = (label: string, error: unknown, facts: Facts = {}): Ev => ({
  label,
  make: () => ({ type: "call-failed", error, aborted: false, expired: false, ...facts }),
});
const status = (s: AsyncOperationStatus): Ev => ({ label: `status ${s}`, make: ({ now }) => ({ type: "status", status: s, now }) });
const slept: Ev = { label: "slept", make: ({ until }) => ({ type: "slept", aborted: false, now: until }) };
const sleepAborted: Ev = { label: "sleep aborted", make: ({ now }) => ({ type: "slept", aborted: true, now }) };

const LOST_ERROR = new TransportError("zillizcloud suspend failed: [500] Internal Server Error, RequestId rid-7", "network", true);
const lost = writeFailed("answer lost", LOST_ERROR);
const conflict = writeFailed(
  "state conflict",
  new CloudApiError({ cloud: "tencentcloud", code: "OperationDenied.ServerlessClusterStatusDenied", message: "busy", action: "PauseServerless" }),
  { stateConflict: true },
);
const DENIED = new CloudApiError({ cloud: "tencentcloud", code: "UnauthorizedOperation.PermissionDenied", message: "CAM denied", action: "PauseServerless", requestId: "rid-9" });

/** Which event may answer which action: a table that feeds a read's answer to a write is a broken table. */
const ANSWERS: Record<string, TransitionEvent["type"][]> = {
  read: ["read", "call-failed"],
  write: ["wrote", "write-failed"],
  "ask-status": ["status", "call-failed"],
  sleep: ["slept"],
};

const show = (a: TransitionAction): string =>
  a.kind === "write"
    ? `write:${a.operation}`
    : a.kind === "return"
      ? `return:${a.result.reachedTarget ? "reached" : "not-reached"}`
      : a.kind === "throw"
        ? `throw:${a.reason}`
        : a.kind === "ask-status"
          ? "status"
          : a.kind;

function run(events: Ev[], ctx: TransitionContext) {
  let state = initialState(0);
  let action: TransitionAction = FIRST_ACTION;
  const clock: Clock = { now: 0, until: 0, answered: 0 };
  const actions: string[] = [];
  const sleeps: number[] = [];
  for (const ev of events) {
    const event = ev.make(clock);
    expect(ANSWERS[action.kind] ?? [], `"${ev.label}" cannot answer ${show(action)}`).toContain(event.type);
    ({ state, action } = step(state, event, ctx));
    if ("now" in event) clock.now = event.now;
    if (event.type === "wrote") clock.answered++;
    if (action.kind === "sleep") {
      clock.until = action.until;
      sleeps.push(action.until);
    }
    actions.push(show(action));
  }
  return { actions, sleeps, last: action, state };
}

interface Row {
  name: string;
  ctx?: TransitionContext;
  events: Ev[];
  actions: string[];
  message?: RegExp;
  /** Matched against the last action. */
  last?: object;
}

const S = "sleep";
const R = "read";
const W = "write:pause";

const rows: Row[] = [
  { name: "already at the target: done, no write", events: [read("paused")], actions: ["return:reached"], last: { result: { writeCalls: 0, receipt: undefined } } },
  {
    name: "already running for a resume: done, no write",
    ctx: context({ target: "running" }),
    events: [read("running")],
    actions: ["return:reached"],
  },
  {
    name: "steady opposite: one write, then wait through the transition",
    events: [read("running"), wrote, slept, read("pausing"), slept, read("paused")],
    actions: [W, S, R, S, R, "return:reached"],
    last: { result: { writeCalls: 1, receipt: { requestId: "req-1" }, snapshot: { power: "paused" } } },
  },
  { name: "resume from paused writes resume", ctx: context({ target: "running" }), events: [read("paused"), wrote], actions: ["write:resume", S] },
  { name: "already moving toward the target: wait, no write", events: [read("pausing"), slept, read("paused")], actions: [S, R, "return:reached"] },
  { name: "moving the wrong way: wait for it to settle, then write", events: [read("resuming"), slept, read("running")], actions: [S, R, W] },
  { name: "a state we cannot name: wait", events: [read("unknown")], actions: [S] },
  {
    name: "unsupported cluster: fail at once, before any write",
    events: [read("running", { unsupportedReason: "cluster is NORMAL (provisioned), not SERVERLESS" })],
    actions: ["throw:unsupported"],
    message: /^c1: cluster is NORMAL \(provisioned\), not SERVERLESS$/,
  },
  {
    name: "failed state: fail at once, even mid-wait",
    events: [read("running"), wrote, slept, read("pausing", { failureReason: "cluster is ABNORMAL" })],
    actions: [W, S, R, "throw:failed-state"],
    message: /^c1: cluster is ABNORMAL$/,
    last: { receipt: { requestId: "req-1" }, lastSnapshot: { power: "pausing" } },
  },
  {
    name: "answer lost: re-read first, grace reads, and only then a second write",
    events: [read("running"), lost, slept, read("running"), slept, read("running"), slept, read("running")],
    actions: [W, S, R, S, R, S, R, W],
  },
  {
    name: "answer lost but the cluster shows the write took: never re-sent",
    events: [read("running"), lost, slept, read("pausing"), slept, read("paused")],
    actions: [W, S, R, S, R, "return:reached"],
    last: { result: { writeCalls: 1, receipt: undefined } },
  },
  {
    name: "accepted write still not visible: ask the job once the grace reads run out, then re-send",
    events: [read("running"), wrote, slept, read("running"), slept, read("running"), status("succeeded"), slept, read("running")],
    actions: [W, S, R, S, R, "status", S, R, W],
  },
  {
    name: "job still running: stale reads start over instead of re-sending",
    events: [read("running"), wrote, slept, read("running"), slept, read("running"), status("running"), slept, read("running")],
    actions: [W, S, R, S, R, "status", S, R, S],
  },
  {
    name: "no job status in this cloud: grace reads run out straight into a re-send",
    ctx: context({ canAskStatus: false }),
    events: [read("running"), wrote, slept, read("running"), slept, read("running"), slept, read("running")],
    actions: [W, S, R, S, R, S, R, W],
  },
  {
    name: "job failed: operation-failed with the flow and RequestId",
    events: [read("running"), wrote, slept, read("running"), slept, read("running"), status("failed")],
    actions: [W, S, R, S, R, "status", "throw:operation-failed"],
    message: /^c1: the pause operation \(flow 101, RequestId req-1\) failed in the cloud; the cluster is running \(raw-running\)$/,
  },
  {
    name: "moving the wrong way after our write: ask the job every 3rd poll only",
    events: [read("running"), wrote, slept, read("resuming"), slept, read("resuming"), status("failed")],
    actions: [W, S, R, S, R, "status", "throw:operation-failed"],
  },
  {
    name: "moving toward the target: progress needs no job status",
    events: [read("running"), wrote, slept, read("pausing"), slept, read("pausing"), slept, read("pausing"), slept, read("pausing")],
    actions: [W, S, R, S, R, S, R, S, R, S],
  },
  {
    name: "state conflict: re-read and decide again",
    events: [read("running"), conflict, slept, read("paused")],
    actions: [W, S, R, "return:reached"],
    last: { result: { writeCalls: 1, receipt: undefined } },
  },
  {
    name: "state conflict, still steady opposite: write again at once",
    events: [read("running"), conflict, slept, read("running")],
    actions: [W, S, R, W],
  },
  {
    name: "writes run out while answers are lost: operation-failed keeps the lost answer's words",
    ctx: context({}, { graceReads: 1 }),
    events: [read("running"), lost, slept, read("running"), slept, read("running"), lost, slept, read("running"), slept, read("running")],
    actions: [W, S, R, S, R, W, S, R, S, R, "throw:operation-failed"],
    message: /^c1: still running \(raw-running\) after 2 pause calls; the last one got no usable answer: .*\[500\].*RequestId rid-7$/,
    last: { cause: LOST_ERROR },
  },
  {
    name: "writes run out though accepted: operation-failed without a lost answer",
    ctx: context({}, { graceReads: 0 }),
    events: [read("running"), wrote, slept, read("running"), wrote, slept, read("running")],
    actions: [W, S, R, W, S, R, "throw:operation-failed"],
    message: /^c1: still running \(raw-running\) after 2 pause calls$/,
    last: { receipt: { requestId: "req-2" } },
  },
  {
    name: "wait:false returns what the follow-up read after the write shows",
    ctx: context({ wait: false }),
    events: [read("running"), wrote, read("running")],
    actions: [W, R, "return:not-reached"],
    last: { result: { snapshot: { power: "running" }, receipt: { requestId: "req-1" }, writeCalls: 1 } },
  },
  { name: "wait:false, already moving toward the target: return at once", ctx: context({ wait: false }), events: [read("pausing")], actions: ["return:not-reached"] },
  {
    name: "deadline after an accepted write: says it was accepted, with its RequestId",
    ctx: context({ deadline: 250 }),
    events: [read("running"), wrote, slept, read("pausing"), slept],
    actions: [W, S, R, S, "throw:deadline"],
    message: /^c1: did not reach "paused" before the deadline; last seen pausing \(raw-pausing\); the pause call \(RequestId req-1\) was accepted and may still complete$/,
  },
  {
    name: "deadline during the re-reads after a lost answer: says a call was sent without answer",
    ctx: context({ deadline: 250 }),
    events: [read("running"), lost, slept, read("running"), slept],
    actions: [W, S, R, S, "throw:deadline"],
    message: /; last seen running \(raw-running\); a pause call was sent but its answer never arrived, so it may still take effect$/,
  },
  {
    name: "deadline while the write was in flight: the same, with the transport error as cause",
    events: [read("running"), writeFailed("write timed out", new TransportError("request aborted", "aborted", true), { expired: true })],
    actions: [W, "throw:deadline"],
    message: /a pause call was sent but its answer never arrived/,
    last: { receipt: undefined },
  },
  {
    name: "deadline as a write that never left is refused: claims no call in flight",
    events: [read("running"), writeFailed("not sent", new TransportError("connection refused", "network", false), { expired: true })],
    actions: [W, "throw:deadline"],
    message: /^c1: did not reach "paused" before the deadline; last seen running \(raw-running\)$/,
  },
  {
    name: "deadline before the first read answered: last seen nothing",
    events: [callFailed("read timed out", new Error("timeout"), { expired: true })],
    actions: ["throw:deadline"],
    message: /last seen nothing$/,
  },
  {
    name: "write rejected by the cloud: cloud-error with its code, no receipt",
    events: [read("running"), writeFailed("denied", DENIED)],
    actions: [W, "throw:cloud-error"],
    message: /^c1: .*UnauthorizedOperation\.PermissionDenied.*RequestId rid-9$/,
    last: { receipt: undefined, cause: DENIED },
  },
  {
    name: "caller aborts during a sleep: aborted, keeping the receipt",
    events: [read("running"), wrote, sleepAborted],
    actions: [W, S, "throw:aborted"],
    message: /^c1: aborted$/,
    last: { receipt: { requestId: "req-1" } },
  },
  {
    name: "caller's abort wins over the deadline when a read fails",
    events: [read("running"), wrote, slept, callFailed("read aborted", new Error("aborted"), { aborted: true, expired: true })],
    actions: [W, S, R, "throw:aborted"],
  },
  {
    name: "a lost answer after the caller aborted is not retried",
    events: [read("running"), writeFailed("lost, aborted", LOST_ERROR, { aborted: true })],
    actions: [W, "throw:aborted"],
  },
];

describe("step: fault scenarios", () => {
  it.each(rows.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    const { actions, last } = run(row.events, row.ctx ?? context());
    expect(actions).toEqual(row.actions);
    if (row.message) expect(last).toMatchObject({ kind: "throw", message: expect.stringMatching(row.message) });
    if (row.last) expect(last).toMatchObject(row.last);
  });
});

describe("step: the poll schedule", () => {
  it("keeps to the instants counted from the write, and caps the last sleep at the deadline", () => {
    const pausing = Array.from({ length: 3 }, () => [slept, read("pausing")]).flat();
    const { sleeps, actions } = run([read("running"), wrote, ...pausing, slept], context({ deadline: 1_000 }));
    // 100, +200, +400 from the write at 0; the fourth (1100) is cut to the deadline, where it fails.
    expect(sleeps).toEqual([100, 300, 700, 1_000]);
    expect(actions.at(-1)).toBe("throw:deadline");
  });

  it("starts the schedule over from each accepted write", () => {
    const at = (now: number): Ev => ({ label: `wrote at ${now}`, make: ({ answered }) => ({ type: "wrote", receipt: { operation: "pause", requestId: `req-${answered + 1}` }, sentAt: now, now }) });
    const { sleeps } = run([read("running"), at(0), slept, read("running"), at(5_000)], context({}, { graceReads: 0 }));
    expect(sleeps).toEqual([100, 5_100]);
  });

  it("does not change the state it is given", () => {
    const state = Object.freeze(initialState(0));
    const event: TransitionEvent = { type: "read", snapshot: snap("running"), now: 0 };
    const first = step(state, event, context());
    expect(step(state, event, context())).toEqual(first);
    expect(state).toEqual(initialState(0));
  });
});
