import { randomUUID } from "node:crypto";
import type { FaultRule } from "../../emulator/faults";
import { RateWindow } from "../../emulator/rate-window";
import type { CloudEmulator, EmulatorContext, IncomingCall, Outcome, Reply } from "../../emulator/contract";
import { parseAuthorization, signTc3, utcDate } from "./signer";

/**
 * The Tencent Cloud API 3.0 side of the local cloud: cynosdb 2019-01-07 PauseServerless,
 * ResumeServerless, DescribeClusterDetail, DescribeClusters, DescribeFlow,
 * DescribeServerlessStrategy and ModifyServerlessStrategy, behind real TC3 verification and the
 * documented per-action rate limits. Cluster and flow states are computed from timestamps, so no
 * timers run.
 */

export interface TencentKey {
  secretId: string;
  secretKey: string;
  /** Temporary (STS) keys carry a token that must come as X-TC-Token. */
  token?: string;
  /** Temporary keys stop working at this time (ms since epoch, emulator clock). */
  expiresAt?: number;
}

export type ServerlessSteadyState = "resume" | "pause";

export interface TencentClusterSeed {
  clusterId: string;
  region?: string;
  name?: string;
  /** Default SERVERLESS. */
  dbMode?: "SERVERLESS" | "NORMAL";
  /** Cluster Status (default "running"), e.g. "isolated" for a cluster in the recycle bin. */
  status?: string;
  /** Serverless state (default "resume"). */
  serverlessStatus?: ServerlessSteadyState;
  /** How long this cluster's pause/resume takes, in ms (default: the emulator's transitionMs). */
  transitionMs?: number;
  /** Its serverless strategy (default: auto-pause on after 600 s, CPU 0.25 to 2). */
  strategy?: Partial<ServerlessStrategy>;
  /** Resource tags (TagKey -> TagValue), reported as ResourceTags (default none). */
  tags?: Readonly<Record<string, string>>;
}

/** The serverless strategy the emulator keeps per cluster, in the API's own terms. */
export interface ServerlessStrategy {
  AutoPause: "yes" | "no";
  AutoPauseDelay: number;
  AutoScaleUpDelay: number;
  AutoScaleDownDelay: number;
  AutoScaleUp: "yes" | "no";
  AutoScaleDown: "yes" | "no";
  AutoArchive: "yes" | "no";
  MinCpu: number;
  MaxCpu: number;
  MinRoCpu: number;
  MaxRoCpu: number;
  MinRoCount: number;
  MaxRoCount: number;
}

export const DEFAULT_STRATEGY: Readonly<ServerlessStrategy> = {
  AutoPause: "yes",
  AutoPauseDelay: 600,
  AutoScaleUpDelay: 30,
  AutoScaleDownDelay: 60,
  AutoScaleUp: "yes",
  AutoScaleDown: "yes",
  AutoArchive: "yes",
  MinCpu: 0.25,
  MaxCpu: 2,
  MinRoCpu: 0.25,
  MaxRoCpu: 2,
  MinRoCount: 0,
  MaxRoCount: 0,
};

/** What DescribeServerlessStrategy answers (the documented output; CPU bounds are not in it). */
const DESCRIBED_STRATEGY_FIELDS = ["AutoPauseDelay", "AutoScaleUpDelay", "AutoScaleDownDelay", "AutoPause", "AutoScaleUp", "AutoScaleDown", "AutoArchive"] as const;
/** ModifyServerlessStrategy's documented request fields besides ClusterId. */
const STRATEGY_FIELDS = new Set<string>([...Object.keys(DEFAULT_STRATEGY), "UpgradeType"]);
const YES_NO_FIELDS = new Set(["AutoPause", "AutoScaleUp", "AutoScaleDown", "AutoArchive"]);

export interface TencentSeed {
  keys?: TencentKey[];
  clusters?: TencentClusterSeed[];
  /**
   * DescribeClusters documents ServerlessStatus as only resume | pause. By default a transitioning
   * cluster shows its OLD steady state there; true shows pausing/resuming as DescribeClusterDetail does.
   */
  describeClustersShowsTransitions?: boolean;
}

export const DEMO_TENCENT_CREDENTIALS: Readonly<Required<Pick<TencentKey, "secretId" | "secretKey">>> = {
  secretId: "AKIDEMULATOR0000000000000000000000DEMO",
  secretKey: "emulator-demo-secret-key-0000000000000",
};

export const DEFAULT_TENCENT_SEED: TencentSeed = {
  keys: [{ ...DEMO_TENCENT_CREDENTIALS }],
  clusters: [
    { clusterId: "cynosdbmysql-8vcxoq75", name: "orders", serverlessStatus: "resume" },
    { clusterId: "cynosdbmysql-2k7d9xq1", name: "analytics", serverlessStatus: "resume" },
    { clusterId: "cynosdbmysql-5hw3mz8p", name: "reporting", serverlessStatus: "pause" },
    { clusterId: "cynosdbmysql-9tq4rb6c", name: "staging", serverlessStatus: "resume" },
    { clusterId: "cynosdbmysql-3fj8nv2e", name: "archive", serverlessStatus: "pause" },
    { clusterId: "cynosdbmysql-7normal1", name: "billing (provisioned)", dbMode: "NORMAL" },
  ].map((c) => ({ region: "ap-guangzhou", ...c }) as TencentClusterSeed),
};

export const TENCENT_API_VERSION = "2019-01-07";
/** The documented regions of the serverless APIs (research 6). */
export const CYNOSDB_REGIONS = [
  "ap-bangkok", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-guangzhou", "ap-hongkong", "ap-jakarta", "ap-nanjing", "ap-seoul",
  "ap-shanghai", "ap-shenzhen-fsi", "ap-singapore", "ap-tokyo", "eu-frankfurt", "na-ashburn", "na-siliconvalley", "sa-saopaulo",
];
const MAX_SKEW_SECONDS = 300;
const ACTIONS = [
  "PauseServerless",
  "ResumeServerless",
  "DescribeClusterDetail",
  "DescribeClusters",
  "DescribeFlow",
  "DescribeServerlessStrategy",
  "ModifyServerlessStrategy",
] as const;
type Action = (typeof ACTIONS)[number];

interface Transition {
  from: ServerlessSteadyState;
  to: ServerlessSteadyState;
  endsAt: number;
  fails: boolean;
}

interface Cluster {
  id: string;
  region: string;
  name: string;
  dbMode: "SERVERLESS" | "NORMAL";
  status: string;
  steady: ServerlessSteadyState;
  transition?: Transition;
  createdAt: number;
  transitionMs?: number;
  strategy: ServerlessStrategy;
  tags: Record<string, string>;
}

interface Flow {
  id: number;
  clusterId: string;
  region: string;
  endsAt: number;
  fails: boolean;
}

export interface TencentClusterView {
  clusterId: string;
  region: string;
  dbMode: "SERVERLESS" | "NORMAL";
  status: string;
  /** resume | resuming | pause | pausing, as DescribeClusterDetail reports it now. */
  serverlessStatus: string;
}

class ApiError {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export class TencentEmulator implements CloudEmulator {
  readonly cloud = "tencentcloud" as const;
  readonly describeClustersShowsTransitions: boolean;
  private readonly keys = new Map<string, TencentKey>();
  private readonly clusters = new Map<string, Cluster>();
  private readonly flows = new Map<number, Flow>();
  private nextFlowId = 1_008_306;
  private readonly perActionWindow: RateWindow;
  private readonly listWindow = new RateWindow(1000);

  constructor(
    readonly context: EmulatorContext,
    seed: TencentSeed = DEFAULT_TENCENT_SEED,
  ) {
    this.perActionWindow = new RateWindow(context.rateLimit);
    this.describeClustersShowsTransitions = seed.describeClustersShowsTransitions ?? false;
    for (const key of seed.keys ?? DEFAULT_TENCENT_SEED.keys!) this.addKey(key);
    for (const cluster of seed.clusters ?? []) this.addCluster(cluster);
  }

  // ---- test and demo controls ------------------------------------------------------------

  addKey(key: TencentKey): void {
    this.keys.set(key.secretId, { ...key });
  }

  addCluster(seed: TencentClusterSeed): void {
    this.clusters.set(seed.clusterId, {
      id: seed.clusterId,
      region: seed.region ?? "ap-guangzhou",
      name: seed.name ?? seed.clusterId,
      dbMode: seed.dbMode ?? "SERVERLESS",
      status: seed.status ?? "running",
      steady: seed.serverlessStatus ?? "resume",
      createdAt: this.context.now(),
      transitionMs: seed.transitionMs,
      strategy: { ...DEFAULT_STRATEGY, ...seed.strategy },
      tags: { ...seed.tags },
    });
  }

  /** Tags changed in the console (or by the tag service): replaces them all. */
  setTags(clusterId: string, tags: Readonly<Record<string, string>>): void {
    this.mustGet(clusterId).tags = { ...tags };
  }

  getStrategy(clusterId: string): Readonly<ServerlessStrategy> {
    return { ...this.mustGet(clusterId).strategy };
  }

  /** A change made in the console: drift the API did not cause. */
  setStrategy(clusterId: string, change: Partial<ServerlessStrategy>): void {
    Object.assign(this.mustGet(clusterId).strategy, change);
  }

  removeCluster(clusterId: string): boolean {
    return this.clusters.delete(clusterId);
  }

  getCluster(clusterId: string): TencentClusterView | undefined {
    const c = this.clusters.get(clusterId);
    if (!c) return undefined;
    return { clusterId: c.id, region: c.region, dbMode: c.dbMode, status: c.status, serverlessStatus: this.serverlessStatus(c, true) };
  }

  setClusterStatus(clusterId: string, status: string): void {
    this.mustGet(clusterId).status = status;
  }

  /** Out-of-band auto-pause (no connections for AutoPauseDelay): drift the API did not cause. */
  autoPause(clusterId: string): void {
    // A test that pauses a cluster whose policy forbids it would be testing a cloud that does not exist.
    if (this.mustGet(clusterId).strategy.AutoPause === "no") throw new Error(`emulator: ${clusterId} has AutoPause "no" and never pauses itself`);
    this.drift(clusterId, "pause");
  }

  /** Out-of-band auto-resume (a connection came in). */
  autoResume(clusterId: string): void {
    this.drift(clusterId, "resume");
  }

  private drift(clusterId: string, to: ServerlessSteadyState): void {
    const c = this.mustGet(clusterId);
    this.settle(c);
    c.transition = undefined;
    c.steady = to;
  }

  private mustGet(clusterId: string): Cluster {
    const c = this.clusters.get(clusterId);
    if (!c) throw new Error(`emulator: no Tencent cluster ${clusterId}`);
    return c;
  }

  // ---- time ------------------------------------------------------------------------------

  /** Applies a finished transition: the target, or the old state if its flow failed. */
  private settle(c: Cluster): void {
    if (c.transition && this.context.now() >= c.transition.endsAt) {
      c.steady = c.transition.fails ? c.transition.from : c.transition.to;
      c.transition = undefined;
    }
  }

  private serverlessStatus(c: Cluster, showTransitions: boolean): string {
    this.settle(c);
    if (!c.transition) return c.steady;
    if (!showTransitions) return c.transition.from;
    return c.transition.to === "pause" ? "pausing" : "resuming";
  }

  // ---- HTTP ------------------------------------------------------------------------------

  accepts(call: IncomingCall): boolean {
    return call.path.split("?")[0] === "/" && "x-tc-action" in call.headers;
  }

  async handle(call: IncomingCall): Promise<Outcome> {
    const requestId = randomUUID();
    const action = call.headers["x-tc-action"] ?? "";
    // Known even when verification fails, so refused calls can be told apart in the log.
    let caller = parseAuthorization(call.headers.authorization)?.secretId;
    let clusterId: string | undefined;
    let outcome = "ok";
    let result: Outcome;
    try {
      caller = this.authenticate(call);
      const params = this.parseBody(call);
      clusterId = typeof params.ClusterId === "string" ? params.ClusterId : undefined;
      result = this.dispatch(action as Action, call.headers["x-tc-region"], params, caller, requestId, clusterId);
      if ("fault" in result) outcome = result.fault.kind;
      else if (result.reply.status !== 200) outcome = `http-${result.reply.status}`;
      else outcome = (JSON.parse(result.reply.body) as { Response: { Error?: { Code: string } } }).Response.Error?.Code ?? "ok";
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      outcome = error.code;
      result = { reply: envelope({ Error: { Code: error.code, Message: error.message } }, requestId) };
    }
    const { authorization, ...headers } = call.headers;
    this.context.log.add({
      at: this.context.now(),
      cloud: "tencentcloud",
      action,
      clusterId,
      outcome,
      httpStatus: "reply" in result ? result.reply.status : 0,
      caller,
      headers,
      authorization,
      body: call.body,
    });
    return result;
  }

  /** Checks headers, the TC3 signature, the key and its token. Returns the SecretId. */
  private authenticate(call: IncomingCall): string {
    if (call.method !== "POST") throw new ApiError("UnsupportedProtocol", "This emulator accepts POST requests only.");
    const h = call.headers;
    for (const name of ["x-tc-action", "x-tc-version", "x-tc-timestamp", "authorization"]) {
      if (!h[name]) throw new ApiError("MissingParameter", `The request is missing the required header ${name}.`);
    }
    const contentType = h["content-type"] ?? "";
    if (!/^application\/json(\s*;\s*charset=utf-8)?$/i.test(contentType.trim())) {
      throw new ApiError("InvalidParameter", `Content-Type must be application/json for POST requests, got "${contentType}".`);
    }
    const auth = parseAuthorization(h.authorization);
    if (!auth) throw new ApiError("AuthFailure.InvalidAuthorization", "The Authorization header is not a valid TC3-HMAC-SHA256 header.");
    if (!auth.signedHeaders.includes("content-type") || !auth.signedHeaders.includes("host")) {
      throw new ApiError("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host.");
    }
    const timestamp = Number(h["x-tc-timestamp"]);
    if (!Number.isInteger(timestamp)) throw new ApiError("InvalidParameter", "X-TC-Timestamp must be UNIX seconds.");
    const nowSeconds = Math.floor(this.context.now() / 1000);
    if (Math.abs(nowSeconds - timestamp) > MAX_SKEW_SECONDS) {
      throw new ApiError(
        "AuthFailure.SignatureExpire",
        `Signature expired, timestamp ${timestamp} differs from the server time ${nowSeconds} by more than 5 minutes.`,
      );
    }
    const key = this.keys.get(auth.secretId);
    if (!key) throw new ApiError("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.");

    const host = h.host ?? "";
    const hostname = host.replace(/:\d+$/, "");
    // The service is the first label of the product host; on a loopback address it is "cynosdb" or,
    // as the official SDK signs for an "IP:port" endpoint, the first label of that address.
    const services = new Set(["cynosdb", hostname.split(".")[0]]);
    const signedWith = (hostValue: string) => {
      const headers: Record<string, string> = {};
      for (const name of auth.signedHeaders) headers[name] = name === "host" ? hostValue : (h[name] ?? "");
      return signTc3({
        secretId: auth.secretId,
        secretKey: key.secretKey,
        service: auth.service,
        timestamp,
        method: "POST",
        query: call.path.includes("?") ? call.path.slice(call.path.indexOf("?") + 1) : "",
        headers,
        payload: call.body,
      }).signature;
    };
    // The real hosts never carry a port; the official SDK signs the host name without it.
    const valid =
      services.has(auth.service) && auth.date === utcDate(timestamp) && [host, hostname].some((v) => signedWith(v) === auth.signature);
    if (!valid) {
      throw new ApiError(
        "AuthFailure.SignatureFailure",
        "The provided credentials could not be validated. Please check your signature is correct.",
      );
    }
    const token = h["x-tc-token"];
    if (key.token === undefined && token) {
      throw new ApiError("AuthFailure.TokenFailure", "X-TC-Token must not be sent with a long-term key.");
    }
    if (key.token !== undefined) {
      if (token !== key.token) throw new ApiError("AuthFailure.TokenFailure", "The token is missing or invalid for this temporary key.");
      if (key.expiresAt !== undefined && this.context.now() >= key.expiresAt) {
        throw new ApiError("AuthFailure.TokenFailure", "The temporary credentials have expired.");
      }
    }
    if (h["x-tc-version"] !== TENCENT_API_VERSION) {
      throw new ApiError("NoSuchVersion", `The requested version ${h["x-tc-version"]} of service cynosdb does not exist.`);
    }
    return auth.secretId;
  }

  private parseBody(call: IncomingCall): Record<string, unknown> {
    try {
      const body = JSON.parse(call.body || "{}") as unknown;
      if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      /* below */
    }
    throw new ApiError("InvalidParameter", "The request body is not a JSON object.");
  }

  private dispatch(
    action: Action,
    region: string | undefined,
    params: Record<string, unknown>,
    caller: string,
    requestId: string,
    clusterId?: string,
  ): Outcome {
    if (!ACTIONS.includes(action)) throw new ApiError("InvalidAction", `The action ${action} is not found in service cynosdb.`);
    if (!region) throw new ApiError("MissingParameter", "The parameter Region (X-TC-Region) is required.");
    if (!CYNOSDB_REGIONS.includes(region)) throw new ApiError("UnsupportedRegion", `cynosdb does not support the region ${region}.`);
    const window = action === "DescribeClusters" ? this.listWindow : this.perActionWindow;
    if (!window.admit(`${caller}:${action}`, this.context.now())) {
      throw new ApiError("RequestLimitExceeded", `Your current request times equals to \`${action === "DescribeClusters" ? 1000 : this.context.rateLimit}\` in a second, which exceeds the frequency limit.`);
    }

    const rule: FaultRule | undefined = this.context.faults.take({ cloud: "tencentcloud", action, clusterId });
    const fault = rule?.fault;
    const after = rule?.when === "after";
    if (fault && fault.kind !== "flow-failed" && !after) {
      return fault.kind === "error" ? { reply: errorReply(fault, requestId) } : { fault };
    }

    const response = this.run(action, params, region, fault?.kind === "flow-failed");
    // when: "after": the request took effect, then the caller gets an error or no usable answer.
    if (fault?.kind === "error") return { reply: errorReply(fault, requestId) };
    if (fault && fault.kind !== "flow-failed") return { fault };
    return { reply: envelope(response, requestId) };
  }

  private run(action: Action, p: Record<string, unknown>, region: string, flowFails: boolean): Record<string, unknown> {
    switch (action) {
      case "DescribeClusterDetail": {
        const c = this.findCluster(p, region, "ResourceNotFound.ClusterNotFoundError");
        return { Detail: this.detailOf(c) };
      }
      case "DescribeClusters":
        return this.describeClusters(p, region);
      case "PauseServerless":
      case "ResumeServerless": {
        if (p.ForcePause !== undefined && p.ForcePause !== 0 && p.ForcePause !== 1) {
          throw new ApiError("InvalidParameterValue.ParamError", "ForcePause must be 0 or 1.");
        }
        if (action === "ResumeServerless" && p.ForcePause !== undefined) {
          throw new ApiError("UnknownParameter", "The parameter ForcePause is not recognized by ResumeServerless.");
        }
        const c = this.findCluster(p, region, "InvalidParameterValue.ClusterNotFound");
        return { FlowId: this.startTransition(c, action === "PauseServerless" ? "pause" : "resume", flowFails) };
      }
      case "DescribeServerlessStrategy": {
        const c = this.serverlessCluster(p, region);
        return Object.fromEntries(DESCRIBED_STRATEGY_FIELDS.map((field) => [field, c.strategy[field]]));
      }
      case "ModifyServerlessStrategy": {
        const change = validStrategyChange(p);
        const c = this.serverlessCluster(p, region);
        if (c.status !== "running") throw new ApiError("OperationDenied.ClusterStatusDeniedError", `The cluster is ${c.status}; the operation is not allowed.`);
        // upgradeInMaintain waits for the maintenance window, which never comes here.
        if (p.UpgradeType !== "upgradeInMaintain") Object.assign(c.strategy, change);
        const id = this.nextFlowId++;
        return { TaskId: id, FlowId: id };
      }
      case "DescribeFlow": {
        if (typeof p.FlowId !== "number" || !Number.isInteger(p.FlowId)) {
          throw new ApiError(p.FlowId === undefined ? "MissingParameter" : "InvalidParameterValue.InvalidParameterValueError", "FlowId must be an integer.");
        }
        const flow = this.flows.get(p.FlowId);
        if (!flow || flow.region !== region) throw new ApiError("InvalidParameterValue.FlowNotFound", `Flow ${p.FlowId} does not exist.`);
        return { Status: this.context.now() < flow.endsAt ? 2 : flow.fails ? 1 : 0 };
      }
    }
  }

  private findCluster(p: Record<string, unknown>, region: string, notFoundCode: string): Cluster {
    if (p.ClusterId === undefined) throw new ApiError("MissingParameter", "The parameter ClusterId is required.");
    if (typeof p.ClusterId !== "string") throw new ApiError("InvalidParameterValue.ParamError", "ClusterId must be a string.");
    const c = this.clusters.get(p.ClusterId);
    if (!c || c.region !== region || c.status === "deleted") {
      throw new ApiError(notFoundCode, `Cluster ${p.ClusterId} does not exist in ${region}.`);
    }
    return c;
  }

  /** The strategy actions answer for serverless clusters only (NORMAL: the error code is UNCONFIRMED; PauseServerless' one). */
  private serverlessCluster(p: Record<string, unknown>, region: string): Cluster {
    const c = this.findCluster(p, region, "ResourceNotFound.ClusterNotFoundError");
    if (c.dbMode !== "SERVERLESS") throw new ApiError("InvalidParameterValue.DbModeNotServerlessError", "The cluster type must be serverless.");
    return c;
  }

  private startTransition(c: Cluster, to: ServerlessSteadyState, fails: boolean): number {
    if (c.dbMode !== "SERVERLESS") {
      throw new ApiError("InvalidParameterValue.DbModeNotServerlessError", "The cluster type must be serverless.");
    }
    if (c.status !== "running") {
      throw new ApiError(
        to === "resume" ? "OperationDenied.InstanceStatusDeniedError" : "OperationDenied.ServerlessClusterStatusDenied",
        `The cluster is ${c.status}; the operation is not allowed.`,
      );
    }
    this.settle(c);
    if (c.transition || c.steady === to) {
      throw new ApiError(
        "OperationDenied.ServerlessClusterStatusDenied",
        `For the serverless cluster in status ${this.serverlessStatus(c, true)}, the operation is not allowed.`,
      );
    }
    const now = this.context.now();
    const endsAt = now + (c.transitionMs ?? this.context.transitionMs());
    c.transition = { from: c.steady, to, endsAt, fails };
    const id = this.nextFlowId++;
    this.flows.set(id, { id, clusterId: c.id, region: c.region, endsAt, fails });
    return id;
  }

  /** The fields DescribeClusterDetail's Detail and DescribeClusters' ClusterSet items share. */
  private clusterFields(c: Cluster, showTransitions: boolean): Record<string, unknown> {
    return {
      ClusterId: c.id,
      ClusterName: c.name,
      Region: c.region,
      Zone: `${c.region}-3`,
      Status: c.status,
      StatusDesc: STATUS_DESC[c.status] ?? c.status,
      DbType: "MYSQL",
      DbVersion: "8.0",
      DbMode: c.dbMode,
      ...(c.dbMode === "SERVERLESS" ? { ServerlessStatus: this.serverlessStatus(c, showTransitions) } : {}),
      ResourceTags: Object.entries(c.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    };
  }

  private detailOf(c: Cluster): Record<string, unknown> {
    return {
      ...this.clusterFields(c, true),
      CreateTime: new Date(c.createdAt).toISOString().replace("T", " ").slice(0, 19),
      Vip: "10.0.0.12",
      Vport: 3306,
      Tasks: [],
      InstanceSet: [],
    };
  }

  private describeClusters(p: Record<string, unknown>, region: string): Record<string, unknown> {
    const limit = p.Limit ?? 20;
    const offset = p.Offset ?? 0;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ApiError("InvalidParameterValue.InvalidParameterValueError", "Limit must be an integer between 1 and 100.");
    }
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
      throw new ApiError("InvalidParameterValue.InvalidParameterValueError", "Offset must be a non-negative integer.");
    }
    if (p.DbType !== undefined && p.DbType !== "MYSQL" && p.DbType !== "POSTGRESQL") {
      throw new ApiError("InvalidParameterValue.InvalidParameterValueError", "DbType must be MYSQL or POSTGRESQL.");
    }
    // Every emulated cluster is a MySQL one; ordered by creation (seed order), as the console lists them.
    let list = [...this.clusters.values()].filter((c) => c.region === region && c.status !== "deleted" && p.DbType !== "POSTGRESQL");
    for (const filter of (p.Filters ?? []) as Array<{ Names?: string[]; Name?: string; Values?: string[]; ExactMatch?: boolean }>) {
      const names = filter.Names ?? (filter.Name ? [filter.Name] : []);
      const values = filter.Values ?? [];
      const fieldOf = (c: Cluster, name: string) => (name === "ClusterId" ? c.id : name === "ClusterName" ? c.name : undefined);
      if (names.some((n) => n !== "ClusterId" && n !== "ClusterName")) {
        throw new ApiError("InvalidParameterValue.InvalidParameterValueError", `Unsupported filter name in ${JSON.stringify(names)}.`);
      }
      list = list.filter((c) =>
        names.some((n) => values.some((v) => (filter.ExactMatch ? fieldOf(c, n) === v : (fieldOf(c, n) ?? "").includes(v)))),
      );
    }
    const page = list.slice(offset, offset + limit);
    return {
      TotalCount: list.length,
      ClusterSet: page.map((c) => ({
        // The list documents ServerlessStatus as resume | pause only (see describeClustersShowsTransitions).
        ...this.clusterFields(c, this.describeClustersShowsTransitions),
        InstanceNum: 1,
        PayMode: 0,
      })),
    };
  }
}

/** ModifyServerlessStrategy's documented validation: known fields, yes/no values, the AutoPauseDelay range. */
function validStrategyChange(p: Record<string, unknown>): Partial<ServerlessStrategy> {
  const change: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(p)) {
    if (field === "ClusterId" || field === "UpgradeType") continue;
    if (!STRATEGY_FIELDS.has(field)) throw new ApiError("UnknownParameter", `The parameter ${field} is not recognized by ModifyServerlessStrategy.`);
    if (YES_NO_FIELDS.has(field) && value !== "yes" && value !== "no") {
      throw new ApiError("InvalidParameterValue.ParamError", `${field} must be yes or no, got ${JSON.stringify(value)}.`);
    }
    if (!YES_NO_FIELDS.has(field) && (typeof value !== "number" || !Number.isFinite(value))) {
      throw new ApiError("InvalidParameterValue.ParamError", `${field} must be a number, got ${JSON.stringify(value)}.`);
    }
    change[field] = value;
  }
  const delay = change.AutoPauseDelay;
  if (delay !== undefined && (!Number.isInteger(delay) || (delay as number) < 600 || (delay as number) > 691_200)) {
    throw new ApiError("InvalidParameterValue.ParamError", `AutoPauseDelay must be an integer in [600, 691200], got ${JSON.stringify(delay)}.`);
  }
  if (p.UpgradeType !== undefined && p.UpgradeType !== "upgradeImmediate" && p.UpgradeType !== "upgradeInMaintain") {
    throw new ApiError("InvalidParameterValue.ParamError", `UpgradeType must be upgradeImmediate or upgradeInMaintain, got ${JSON.stringify(p.UpgradeType)}.`);
  }
  return change as Partial<ServerlessStrategy>;
}

const STATUS_DESC: Record<string, string> = { running: "运行中", isolated: "已隔离", creating: "创建中", offlined: "已下线" };

function errorReply(fault: { code: string; message?: string; httpStatus?: number }, requestId: string): Reply {
  return envelope({ Error: { Code: fault.code, Message: fault.message ?? `injected ${fault.code}` } }, requestId, fault.httpStatus);
}

function envelope(body: Record<string, unknown>, requestId: string, status = 200): Reply {
  return {
    status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Response: { ...body, RequestId: requestId } }),
  };
}
