import { randomBytes } from "node:crypto";
import { keyFingerprint } from "./config";
import type { Fault } from "../../emulator/faults";
import { RateWindow } from "../../emulator/rate-window";
import type { CloudEmulator, EmulatorContext, IncomingCall, Outcome, Reply } from "../../emulator/contract";

/**
 * The Zilliz Cloud control plane, as far as suspend/resume needs it: v1 (`/v1/clusters...`, one
 * host per region) and v2 (`/v2/clusters...`) describe, list, suspend and resume, with bearer
 * keys, plans, documented error codes, 20 requests/s per endpoint per key, and clusters that move
 * RUNNING -> STOPPING -> STOPPED -> RESUMING -> RUNNING over `context.transitionMs()`. State is
 * computed from timestamps on every request; there are no timers.
 *
 * Choices where the docs are silent (each UNCONFIRMED against the live API):
 * - v1 region: from a `controller.api.{region}.<domain>` Host header, else from the
 *   X-Cluster-Power-Region header the client sends behind an endpoint override; neither -> 90117.
 * - v1 auth: an unknown or malformed key is 80001 "The token is illegal" (Terraform's recorded
 *   wrong-key fixture is 401 + 80001); a key that existed but was revoked is 80002 "The token is
 *   invalid". v2 answers both with 401 + 21119.
 * - Wrong-state suspend/resume: HTTP 400 `{code: 400, message: "Cluster status is not RUNNING ..."}`
 *   (Terraform's mock uses HTTP 400 with such a message).
 * - Rate limit: HTTP 429 `{code: 429, message: "Too many requests ..."}` unless `rateLimitReply` says otherwise.
 * - Suspend states are spelled STOPPING/STOPPED (v2 docs enum) unless `statusSpelling` is "SUSPENDED".
 * - Cloud errors come under HTTP 200 (the docs declare every answer under 200) unless
 *   `errorHttpStatus` is "4xx" (404 not found, 400 plan, 403 permission).
 */

export const DEMO_ZILLIZ_API_KEY = "emulator-zilliz-demo-key-6f1c2a9e4b7d30581d";

export type ZillizPlan = "Free" | "Serverless" | "Standard" | "Enterprise" | "BusinessCritical";

export interface ZillizSeedCluster {
  clusterId: string;
  regionId: string;
  plan: ZillizPlan;
  clusterName?: string;
  /** Initial status (default RUNNING); either spelling of the suspend states is accepted. */
  status?: string;
  cuType?: string;
  cuSize?: number;
  projectId?: string;
  createTime?: string;
  /** Cluster labels (key -> value), in v2 list items as `labels` (default none). */
  labels?: Readonly<Record<string, string>>;
  /** How long this cluster's suspend/resume takes, in ms (default: the emulator's transitionMs). */
  transitionMs?: number;
}

export interface ZillizSeed {
  /** Default: DEFAULT_ZILLIZ_CLUSTERS. */
  clusters?: readonly ZillizSeedCluster[];
  /** Keys that authenticate (default: [DEMO_ZILLIZ_API_KEY]). */
  apiKeys?: readonly string[];
  statusSpelling?: "STOPPED" | "SUSPENDED";
  errorHttpStatus?: "200" | "4xx";
  rateLimitReply?: { httpStatus: number; code: number; message: string };
}

export const DEFAULT_ZILLIZ_CLUSTERS: readonly ZillizSeedCluster[] = [
  { clusterId: "in01-3a8c1f5e2b7d9a4", clusterName: "orders-search", regionId: "aws-us-west-2", plan: "Standard", cuType: "Performance-optimized", cuSize: 2 },
  { clusterId: "in01-7e4b2c9d1f6a835", clusterName: "catalog-vectors", regionId: "aws-us-west-2", plan: "Enterprise", cuType: "Capacity-optimized", cuSize: 4 },
  { clusterId: "in01-c5d2e8a1b4f7936", clusterName: "recs-hangzhou", regionId: "ali-cn-hangzhou", plan: "Standard", cuType: "Performance-optimized", cuSize: 1 },
  { clusterId: "in03-9f1e4a7c2d5b8e6", clusterName: "free-playground", regionId: "aws-us-west-2", plan: "Free" },
  { clusterId: "in05-2b6d8f1a3c7e9d4", clusterName: "serverless-chat", regionId: "aws-us-west-2", plan: "Serverless" },
];


type Canonical = "RUNNING" | "STOPPING" | "STOPPED" | "RESUMING";
type Action = "suspend" | "resume" | "describe" | "list";

interface ClusterRecord {
  info: Required<Omit<ZillizSeedCluster, "status" | "transitionMs" | "labels">>;
  labels: Record<string, string>;
  /** Settled or fixed status in canonical spelling (STOPPED, not SUSPENDED). */
  status: string;
  transition?: { via: "STOPPING" | "RESUMING"; to: "STOPPED" | "RUNNING"; endsAt: number };
  transitionMs?: number;
}

export interface ZillizClusterView {
  clusterId: string;
  regionId: string;
  plan: ZillizPlan;
  /** The status as the API would report it now (in the configured spelling). */
  status: string;
}

interface Route {
  version: "v1" | "v2";
  action?: Action;
  clusterId?: string;
  query: URLSearchParams;
  /** Why the path/method is not an endpoint of this API. */
  bad?: { status: number; message: string };
}

/** A cloud error before rendering: code, message, and its class for the HTTP status choice. */
interface CloudError {
  code: number;
  message: string;
  kind: "auth" | "not-found" | "plan" | "input" | "conflict" | "rate";
}

const MESSAGES = {
  v2Auth: "The apikey is illegal.",
  v1Illegal: "The token is illegal",
  v1Invalid: "The token is invalid",
  v1NotFound: "Cluster not exist or you don't have permission.",
  v1WrongRegion: "The cluster does not exist in current region.",
  v1Domain: "Invalid domain name used",
  v1Serverless: "Serverless cluster not support this operation.",
  v2NotFound: "Cluster not found. Please use the ListClusters API to obtain your scoped clusters.",
  v2Free: "Free cluster does not support this operation.",
  v2Serverless: "Serverless cluster does not support this operation.",
} as const;

/** Prompts exactly as the docs' success examples. */
const PROMPTS = {
  v2: {
    suspend: "Successfully Submitted. The cluster will not incur any computing costs when suspended. You will only be billed for the storage costs during this time.",
    resume:
      "successfully Submitted. Cluster is being resumed, which is expected to takes several minutes. You can access data about the creation progress and status of your cluster by DescribeCluster API. Once the cluster status is RUNNING, you may access your vector database using the SDK.",
  },
  v1: {
    suspend: "successfully Submitted. The cluster will not incur any computing costs when suspended. You will only be billed for the storage costs during this time.",
    resume:
      "Submission successful. Cluster is currently resuming, which typically takes several minutes. You can use the DescribeCluster interface to obtain the creation progress and the status of the Cluster. When the Cluster's status is RUNNING, you can access your vector database using the SDK.",
  },
} as const;

/** Codes an injected `{kind: "error"}` fault renders with, when the rule gives no message. */
const KNOWN_MESSAGES: Record<string, string> = {
  "21119": MESSAGES.v2Auth,
  "80001": MESSAGES.v1Illegal,
  "80002": MESSAGES.v1Invalid,
  "80020": MESSAGES.v1NotFound,
  "80021": MESSAGES.v1Serverless,
  "90102": MESSAGES.v1WrongRegion,
  "90117": MESSAGES.v1Domain,
  "96014": "You don't have permission for this cluster. Cluster org and Apikey org does not match.",
  "96015": "You don't have permission for this cluster. Org owner or project owner is needed.",
  "96016": "You don't have permission for this cluster. Please check your Apikey scope.",
  "96018": MESSAGES.v2NotFound,
  "96021": MESSAGES.v2Free,
  "96022": MESSAGES.v2Serverless,
};

const V1_HOST = /^controller\.api\.([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\.(?:zillizcloud\.com|cloud\.zilliz\.com\.cn|zilliz\.com\.cn)(?::\d+)?$/i;

export class ZillizEmulator implements CloudEmulator {
  readonly cloud = "zillizcloud" as const;
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly keys = new Set<string>();
  private readonly revoked = new Set<string>();
  private readonly window: RateWindow;
  private statusSpelling: "STOPPED" | "SUSPENDED";
  private errorHttpStatus: "200" | "4xx";
  private rateLimitReply: { httpStatus: number; code: number; message: string };

  constructor(
    readonly context: EmulatorContext,
    seed: ZillizSeed = {},
  ) {
    this.window = new RateWindow(context.rateLimit);
    this.statusSpelling = seed.statusSpelling ?? "STOPPED";
    this.errorHttpStatus = seed.errorHttpStatus ?? "200";
    this.rateLimitReply = seed.rateLimitReply ?? {
      httpStatus: 429,
      code: 429,
      message: `Too many requests: the control plane supports up to ${context.rateLimit} requests per second per user per endpoint.`,
    };
    for (const key of seed.apiKeys ?? [DEMO_ZILLIZ_API_KEY]) this.keys.add(key);
    for (const cluster of seed.clusters ?? DEFAULT_ZILLIZ_CLUSTERS) this.addCluster(cluster);
  }

  // ---- test and demo controls -------------------------------------------------------------

  addCluster(seed: ZillizSeedCluster): ZillizClusterView {
    const culess = seed.plan === "Free" || seed.plan === "Serverless";
    const info: ClusterRecord["info"] = {
      clusterId: seed.clusterId,
      regionId: seed.regionId,
      plan: seed.plan,
      clusterName: seed.clusterName ?? seed.clusterId,
      cuType: seed.cuType ?? (culess ? "" : "Performance-optimized"),
      cuSize: seed.cuSize ?? (culess ? 0 : 1),
      projectId: seed.projectId ?? "proj-4487580fcfe2c8a4391686",
      createTime: seed.createTime ?? "2024-06-30T16:34:09Z",
    };
    this.clusters.set(seed.clusterId, { info, labels: { ...seed.labels }, status: canonical(seed.status ?? "RUNNING"), transitionMs: seed.transitionMs });
    return this.getCluster(seed.clusterId)!;
  }

  /** Labels changed in the console: replaces them all. */
  setLabels(clusterId: string, labels: Readonly<Record<string, string>>): void {
    this.mustGet(clusterId).labels = { ...labels };
  }

  getCluster(clusterId: string): ZillizClusterView | undefined {
    const record = this.clusters.get(clusterId);
    if (!record) return undefined;
    return { clusterId, regionId: record.info.regionId, plan: record.info.plan, status: this.render(this.statusOf(record)) };
  }

  listClusters(): ZillizClusterView[] {
    return [...this.clusters.keys()].map((id) => this.getCluster(id)!);
  }

  removeCluster(clusterId: string): boolean {
    return this.clusters.delete(clusterId);
  }

  /**
   * Sets the status now. STOPPING/SUSPENDING and RESUMING start a transition that settles after
   * `transitionMs`; anything else (ABNORMAL, DELETED, FROZEN, CREATING, an unknown word) stays put.
   */
  setStatus(clusterId: string, status: string): void {
    const record = this.mustGet(clusterId);
    const value = canonical(status);
    record.transition = undefined;
    if (value === "STOPPING" || value === "RESUMING") this.startTransition(record, value === "STOPPING" ? "suspend" : "resume");
    else record.status = value;
  }

  /** Someone suspended the cluster in the console (drift). `immediate` skips STOPPING. */
  suspendOutOfBand(clusterId: string, options: { immediate?: boolean } = {}): void {
    this.outOfBand(clusterId, "suspend", options.immediate ?? false);
  }

  /** Someone resumed the cluster in the console (drift). `immediate` skips RESUMING. */
  resumeOutOfBand(clusterId: string, options: { immediate?: boolean } = {}): void {
    this.outOfBand(clusterId, "resume", options.immediate ?? false);
  }

  addApiKey(key: string): void {
    this.keys.add(key);
    this.revoked.delete(key);
  }

  /** The key stops working at once; v1 then answers 80002 ("invalid") rather than 80001. */
  revokeApiKey(key: string): void {
    if (this.keys.delete(key)) this.revoked.add(key);
  }

  setStatusSpelling(spelling: "STOPPED" | "SUSPENDED"): void {
    this.statusSpelling = spelling;
  }

  setErrorHttpStatus(mode: "200" | "4xx"): void {
    this.errorHttpStatus = mode;
  }

  // ---- the API --------------------------------------------------------------------------------

  accepts(call: IncomingCall): boolean {
    return /^\/v[12]\//.test(call.path);
  }

  async handle(call: IncomingCall): Promise<Outcome> {
    const now = this.context.now();
    const route = parseRoute(call);
    const requestId = randomBytes(16).toString("hex");
    const key = bearerKey(call.headers.authorization);
    const log = (outcome: string, httpStatus: number) => {
      const { authorization, ...headers } = call.headers;
      this.context.log.add({
        at: now,
        cloud: "zillizcloud",
        action: route.action ?? "unknown",
        clusterId: route.clusterId,
        apiVersion: route.version,
        outcome,
        httpStatus,
        caller: key ? keyFingerprint(key) : undefined,
        headers,
        authorization,
        body: call.body,
      });
    };

    if (route.bad || !route.action) {
      const bad = route.bad ?? { status: 404, message: "Not Found" };
      log(`HTTP${bad.status}`, bad.status);
      return { reply: json(bad.status, { code: bad.status, message: bad.message }, requestId) };
    }

    const rule = this.context.faults.take({ cloud: "zillizcloud", action: route.action, clusterId: route.clusterId });
    const writeAction = route.action === "suspend" || route.action === "resume";

    if (rule && rule.fault.kind === "flow-failed" && writeAction) {
      // Accepted, but the operation is lost in the cloud and the cluster stays where it was.
      const answer = this.process(route, call, key, now, requestId, { dryRun: true });
      log(answer.outcome === "ok" ? "flow-failed" : answer.outcome, answer.reply.status);
      return { reply: answer.reply };
    }
    if (rule && rule.when !== "after" && rule.fault.kind !== "flow-failed") return this.stage(rule.fault, route.version, requestId, log);

    const answer = this.process(route, call, key, now, requestId);
    if (rule && rule.when === "after" && rule.fault.kind !== "flow-failed") return this.stage(rule.fault, route.version, requestId, log);
    log(answer.outcome, answer.reply.status);
    return { reply: answer.reply };
  }

  // ---- internals ------------------------------------------------------------------------------

  private process(
    route: Route,
    call: IncomingCall,
    key: string | undefined,
    now: number,
    requestId: string,
    options: { dryRun?: boolean } = {},
  ): { reply: Reply; outcome: string } {
    const v = route.version;
    const fail = (error: CloudError) => ({ reply: json(this.httpStatusFor(error), { code: error.code, message: error.message }, requestId), outcome: String(error.code) });

    if (!key || !this.keys.has(key)) {
      if (v === "v2") return fail({ code: 21119, message: MESSAGES.v2Auth, kind: "auth" });
      return fail(key && this.revoked.has(key) ? { code: 80002, message: MESSAGES.v1Invalid, kind: "auth" } : { code: 80001, message: MESSAGES.v1Illegal, kind: "auth" });
    }

    let region: string | undefined;
    if (v === "v1") {
      region = V1_HOST.exec(call.headers.host ?? "")?.[1]?.toLowerCase() ?? call.headers["x-cluster-power-region"]?.trim().toLowerCase();
      if (!region || !/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(region)) return fail({ code: 90117, message: MESSAGES.v1Domain, kind: "input" });
    }

    // Counted per user per endpoint; v1 endpoints are per regional host.
    const lane = `${keyFingerprint(key)}|${v}|${region ?? ""}|${route.action}`;
    if (!this.window.admit(lane, now)) {
      const r = this.rateLimitReply;
      return { reply: json(r.httpStatus, { code: r.code, message: r.message }, requestId), outcome: "RateLimited" };
    }

    if (route.action === "list") return this.list(route, region, requestId, fail);

    const record = route.clusterId ? this.clusters.get(route.clusterId) : undefined;
    if (!record) return fail(v === "v1" ? { code: 80020, message: MESSAGES.v1NotFound, kind: "not-found" } : { code: 96018, message: MESSAGES.v2NotFound, kind: "not-found" });
    if (v === "v1" && record.info.regionId !== region) return fail({ code: 90102, message: MESSAGES.v1WrongRegion, kind: "not-found" });

    if (route.action === "describe") {
      return { reply: json(200, { code: v === "v1" ? 200 : 0, data: this.describeBody(record, v) }, requestId), outcome: "ok" };
    }

    const operation = route.action as "suspend" | "resume";
    const plan = record.info.plan;
    if (plan === "Free" || plan === "Serverless") {
      if (v === "v1") return fail({ code: 80021, message: MESSAGES.v1Serverless, kind: "plan" });
      return fail(plan === "Free" ? { code: 96021, message: MESSAGES.v2Free, kind: "plan" } : { code: 96022, message: MESSAGES.v2Serverless, kind: "plan" });
    }
    const current = this.statusOf(record);
    const required = operation === "suspend" ? "RUNNING" : "STOPPED";
    if (current !== required) {
      return fail({
        code: 400,
        message: `Cluster status is not ${this.render(required)} (current status: ${this.render(current)}); ${operation} is not allowed.`,
        kind: "conflict",
      });
    }
    if (!options.dryRun) this.startTransition(record, operation);
    const prompt = PROMPTS[v][operation];
    return { reply: json(200, { code: v === "v1" ? 200 : 0, data: { clusterId: record.info.clusterId, prompt } }, requestId), outcome: "ok" };
  }

  private list(route: Route, region: string | undefined, requestId: string, fail: (e: CloudError) => { reply: Reply; outcome: string }): { reply: Reply; outcome: string } {
    const v = route.version;
    const pageSize = intParam(route.query.get("pageSize"), 10);
    const page = intParam(route.query.get(v === "v1" ? "current" : "currentPage") ?? route.query.get("currentPage"), 1);
    const [minSize, maxSize] = v === "v1" ? [5, 100] : [1, 100];
    if (pageSize === undefined || pageSize < minSize || pageSize > maxSize) {
      return fail(
        v === "v1"
          ? { code: 80003, message: "The parameter value for 'pageSize' should be between 5 and 100.", kind: "input" }
          : { code: 96008, message: "The parameter value for pageSize should be between 1 and 100.", kind: "input" },
      );
    }
    if (page === undefined || page < 1) {
      return fail(
        v === "v1"
          ? { code: 80004, message: "The parameter 'currentPage' should have a value between 1 and the maximum value of Int.", kind: "input" }
          : { code: 96009, message: "The parameter currentPage should have a value between 1 and the maximum value of Int.", kind: "input" },
      );
    }
    // v2 lists every cluster the key can see; v1 lists the clusters of its regional host.
    const all = [...this.clusters.values()].filter((c) => v === "v2" || c.info.regionId === region);
    const items = all.slice((page - 1) * pageSize, page * pageSize).map((c) => this.listItem(c, v));
    return { reply: json(200, { code: v === "v1" ? 200 : 0, data: { count: all.length, currentPage: page, pageSize, clusters: items } }, requestId), outcome: "ok" };
  }

  private describeBody(record: ClusterRecord, v: "v1" | "v2"): Record<string, unknown> {
    const i = record.info;
    const status = this.render(this.statusOf(record));
    // Field order as in the docs (v2) and Terraform's recorded v1 fixture.
    if (v === "v2") {
      return {
        clusterId: i.clusterId, clusterName: i.clusterName, projectId: i.projectId, description: "", regionId: i.regionId,
        cuType: i.cuType, plan: i.plan, status, connectAddress: connectAddress(i), privateLinkAddress: "", createTime: i.createTime,
        cuSize: i.cuSize, storageSize: 0, snapshotNumber: 0, createProgress: 100,
      };
    }
    return {
      clusterId: i.clusterId, clusterName: i.clusterName, description: "", regionId: i.regionId, clusterType: i.cuType, plan: i.plan,
      cuSize: i.cuSize, status, connectAddress: connectAddress(i), privateLinkAddress: "", createTime: i.createTime,
      storageSize: 0, snapshotNumber: 0, createProgress: 100, projectId: i.projectId,
    };
  }

  private listItem(record: ClusterRecord, v: "v1" | "v2"): Record<string, unknown> {
    const i = record.info;
    const status = this.render(this.statusOf(record));
    const cu = v === "v2" ? { plan: i.plan, cuType: i.cuType } : { clusterType: i.cuType, plan: i.plan };
    return {
      clusterId: i.clusterId, clusterName: i.clusterName, description: "", regionId: i.regionId, ...cu, cuSize: i.cuSize, status,
      connectAddress: connectAddress(i), privateLinkAddress: "", createTime: i.createTime, projectId: i.projectId,
      // Labels as Terraform reads them from v2 cluster records (the docs' list schema omits them; UNCONFIRMED there).
      ...(v === "v2" && { labels: { ...record.labels } }),
    };
  }

  /** Renders a fault the shared server stages, or the cloud's own error envelope. */
  private stage(fault: Fault, version: "v1" | "v2", requestId: string, log: (outcome: string, status: number) => void): Outcome {
    switch (fault.kind) {
      case "error": {
        const code = /^\d+$/.test(fault.code) ? Number(fault.code) : fault.code;
        const message = fault.message ?? KNOWN_MESSAGES[fault.code] ?? `injected error ${fault.code}`;
        const status = fault.httpStatus ?? (fault.code === "21119" || fault.code === "80001" || fault.code === "80002" ? 401 : 200);
        log(fault.code, status);
        return { reply: json(status, { code, message }, requestId) };
      }
      case "malformed": {
        log("malformed", 200);
        return { fault: { kind: "malformed", body: fault.body ?? `{"code":${version === "v1" ? 200 : 0},"data":{"clusterId":"in01-` } };
      }
      case "http":
        log(`HTTP${fault.status}`, fault.status);
        return { fault };
      case "hang":
      case "reset":
        log(fault.kind, 0);
        return { fault };
      case "flow-failed":
        // Only meaningful for writes; handled before dispatch. Never reached.
        throw new Error("flow-failed is handled in handle()");
    }
  }

  private httpStatusFor(error: CloudError): number {
    if (error.kind === "auth") return 401;
    if (error.kind === "conflict") return 400;
    if (this.errorHttpStatus === "200") return 200;
    return error.kind === "not-found" ? 404 : 400;
  }

  private statusOf(record: ClusterRecord): string {
    const t = record.transition;
    if (t && this.context.now() >= t.endsAt) {
      record.status = t.to;
      record.transition = undefined;
    }
    return record.transition ? record.transition.via : record.status;
  }

  private startTransition(record: ClusterRecord, operation: "suspend" | "resume"): void {
    const endsAt = this.context.now() + Math.max(0, record.transitionMs ?? this.context.transitionMs());
    record.transition = operation === "suspend" ? { via: "STOPPING", to: "STOPPED", endsAt } : { via: "RESUMING", to: "RUNNING", endsAt };
  }

  private outOfBand(clusterId: string, operation: "suspend" | "resume", immediate: boolean): void {
    const record = this.mustGet(clusterId);
    const required: Canonical = operation === "suspend" ? "RUNNING" : "STOPPED";
    const current = this.statusOf(record);
    if (current !== required) throw new Error(`cannot ${operation} ${clusterId} out of band: it is ${current}, not ${required}`);
    if (immediate) record.status = operation === "suspend" ? "STOPPED" : "RUNNING";
    else this.startTransition(record, operation);
  }

  private mustGet(clusterId: string): ClusterRecord {
    const record = this.clusters.get(clusterId);
    if (!record) throw new Error(`no Zilliz cluster ${clusterId} in the emulator`);
    return record;
  }

  private render(status: string): string {
    if (this.statusSpelling === "SUSPENDED") {
      if (status === "STOPPING") return "SUSPENDING";
      if (status === "STOPPED") return "SUSPENDED";
    }
    return status;
  }
}

function canonical(status: string): string {
  const upper = status.trim().toUpperCase();
  if (upper === "SUSPENDING") return "STOPPING";
  if (upper === "SUSPENDED") return "STOPPED";
  return upper;
}

function parseRoute(call: IncomingCall): Route {
  const url = new URL(call.path, "http://emulator.invalid");
  const version = url.pathname.startsWith("/v1/") ? "v1" : "v2";
  const parts = url.pathname.split("/").filter(Boolean).slice(1);
  const route: Route = { version, query: url.searchParams };
  if (parts[0] !== "clusters") return { ...route, bad: { status: 404, message: "Not Found" } };
  const method = call.method.toUpperCase();
  const expect = (m: string, action: Action, clusterId?: string): Route =>
    method === m ? { ...route, action, clusterId } : { ...route, action, clusterId, bad: { status: 405, message: "Method Not Allowed" } };
  if (parts.length === 1) return expect("GET", "list");
  let clusterId: string;
  try {
    clusterId = decodeURIComponent(parts[1]);
  } catch {
    return { ...route, bad: { status: 400, message: "Bad Request" } };
  }
  if (parts.length === 2) return expect("GET", "describe", clusterId);
  if (parts.length === 3 && (parts[2] === "suspend" || parts[2] === "resume")) return expect("POST", parts[2], clusterId);
  return { ...route, bad: { status: 404, message: "Not Found" } };
}

function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

function intParam(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === "") return fallback;
  return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
}

function connectAddress(i: ClusterRecord["info"]): string {
  const china = /^(ali|tc)-/.test(i.regionId);
  return `https://${i.clusterId}.${i.regionId}.vectordb.${china ? "cloud.zilliz.com.cn" : "zillizcloud.com"}:19530`;
}

function json(status: number, body: unknown, requestId: string): Reply {
  return { status, headers: { "content-type": "application/json", requestid: requestId }, body: JSON.stringify(body) };
}
