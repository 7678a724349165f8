import type { CloudName } from "../core/power";

/** One request as the emulator saw it. The Authorization header is kept apart so scans can skip it. */
export interface LoggedRequest {
  at: number;
  cloud: CloudName;
  /** Tencent action or Zilliz operation ("suspend", "resume", "describe", "list"). */
  action: string;
  clusterId?: string;
  /** Zilliz API version ("v1" | "v2"); undefined for Tencent. */
  apiVersion?: string;
  /** "ok", the cloud error code we answered with, or the fault kind we injected. */
  outcome: string;
  httpStatus: number;
  /** Who called: Tencent SecretId, or a short fingerprint of a Zilliz key. */
  caller?: string;
  /** Request headers, lower-cased, without Authorization. */
  headers: Record<string, string>;
  authorization?: string;
  body: string;
}

export interface LogQuery {
  cloud?: CloudName;
  action?: string | string[];
  clusterId?: string;
  outcome?: string;
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
  }

  find(query: LogQuery = {}): LoggedRequest[] {
    const actions = query.action === undefined ? undefined : ([] as string[]).concat(query.action);
    return this.entries.filter(
      (e) =>
        (!query.cloud || e.cloud === query.cloud) &&
        (!actions || actions.includes(e.action)) &&
        (!query.clusterId || e.clusterId === query.clusterId) &&
        (!query.outcome || e.outcome === query.outcome),
    );
  }

  count(query: LogQuery = {}): number {
    return this.find(query).length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
