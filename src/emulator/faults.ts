import type { CloudName } from "../core/power";

/**
 * A scriptable queue of faults. Tests push rules; each request takes the first matching rule.
 * `when: "after"` applies the request's effect first and then breaks the response, which is how
 * a lost response to an accepted pause/resume looks from the client.
 */
export type Fault =
  /** The cloud's own error envelope with this code (each cloud renders it its own way). */
  | { kind: "error"; code: string; message?: string; httpStatus?: number }
  /** A bare HTTP status with a non-JSON body, like a gateway's 502 page. */
  | { kind: "http"; status: number; body?: string; contentType?: string }
  /** Hold the request without answering for `ms` (default: until the client gives up). */
  | { kind: "hang"; ms?: number }
  /** HTTP 200 with a body that is not valid JSON (or an unexpected JSON shape if given). */
  | { kind: "malformed"; body?: string }
  /** Drop the connection without a response. */
  | { kind: "reset" }
  /** The next pause/resume is accepted but its asynchronous job fails and the cluster stays put (clouds with jobs). */
  | { kind: "flow-failed" };

export interface FaultRule {
  cloud?: CloudName;
  /** The API action or operation as the cloud names it (e.g. "PauseServerless", "suspend"). */
  action?: string;
  clusterId?: string;
  fault: Fault;
  /** How many requests this rule hits (default 1). */
  times?: number;
  /** How many matching requests go through untouched before the rule hits (default 0): page 3 of a list, say. */
  skip?: number;
  when?: "before" | "after";
}

export interface FaultTarget {
  cloud: CloudName;
  action: string;
  clusterId?: string;
}

export class FaultQueue {
  private rules: Array<FaultRule & { left: number; skipping: number }> = [];

  push(...rules: FaultRule[]): void {
    for (const rule of rules) this.rules.push({ ...rule, left: rule.times ?? 1, skipping: rule.skip ?? 0 });
  }

  /** Takes the first rule matching this request, if any. */
  take(target: FaultTarget): FaultRule | undefined {
    const i = this.rules.findIndex(
      (r) =>
        (!r.cloud || r.cloud === target.cloud) &&
        (!r.action || r.action === target.action) &&
        (!r.clusterId || r.clusterId === target.clusterId),
    );
    if (i < 0) return undefined;
    const rule = this.rules[i];
    if (rule.skipping > 0) {
      rule.skipping--;
      return undefined;
    }
    if (--rule.left <= 0) this.rules.splice(i, 1);
    return rule;
  }

  pending(): number {
    return this.rules.length;
  }

  clear(): void {
    this.rules = [];
  }
}
