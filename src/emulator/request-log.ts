import type { CloudName } from "../core/power";

/** One request as the emulator saw it. The Authorization header is kept apart so scans can skip it. */
export interface LoggedRequest {
  at: number;
  cloud: CloudName;
  /** The API action or operation as the cloud names it. */
  action: string;
  clusterId?: string;
  /** The API version, for clouds that serve several at once. */
  apiVersion?: string;
  /** "ok", the cloud error code we answered with, or the fault kind we injected. */
  outcome: string;
  httpStatus: number;
  /** Who called: a key id, or a short fingerprint of a key that is itself the secret. */
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
