import { z } from "zod";
import { CloudApiError, ClusterNotFoundError, redact } from "../../core/errors";
import { retryAfterMs, type HttpResponse } from "../../core/http";

/**
 * Zod shapes of the control-plane answers and the one pure function that turns an HTTP response
 * into data or a typed error. Shapes follow the docs' examples and Terraform's recorded fixtures:
 * success is `code` 0 (v2) or 200 (v1), errors are `{code, message}` under HTTP 200 or 4xx.
 */

export type ZillizOperation = "suspend" | "resume" | "describe" | "list";

const code = z.union([z.number(), z.string()]);

/** Every answer, success or error. Terraform's mock answers `{"error": "..."}`, so that is read too. */
const Envelope = z.object({
  code: code.optional(),
  message: z.string().optional(),
  error: z.string().optional(),
  data: z.unknown().optional(),
});

export const WriteData = z.object({
  clusterId: z.string(),
  prompt: z.string().optional(),
});
export type WriteData = z.infer<typeof WriteData>;

/** Describe (v1 and v2) and list items. Fields we do not use are optional so a lean item still parses. */
export const ClusterData = z.object({
  clusterId: z.string().min(1),
  status: z.string(),
  plan: z.string().optional(),
  clusterName: z.string().optional(),
  regionId: z.string().optional(),
  /** v2 name of the CU type. */
  cuType: z.string().optional(),
  /** v1 name of the CU type. */
  clusterType: z.string().optional(),
  cuSize: z.number().optional(),
  projectId: z.string().optional(),
  /**
   * Terraform reads `labels` (a string map) from cluster records; the docs' list schema does not
   * show it (UNCONFIRMED on the live list). Read leniently: one odd value must not fail a page.
   */
  labels: z.record(z.string(), z.unknown()).nullish(),
});
export type ClusterData = z.infer<typeof ClusterData>;

/** The docs' example pages the list as an object; the same page's schema says a bare array. Both parse. */
export const ListData = z.union([
  z.object({
    count: z.number().optional(),
    currentPage: z.number().optional(),
    pageSize: z.number().optional(),
    clusters: z.array(ClusterData),
  }),
  z.array(ClusterData).transform((clusters) => ({ clusters, count: undefined, currentPage: undefined, pageSize: undefined })),
]);
export type ListData = z.infer<typeof ListData>;

/** Codes after which repeating the same request cannot succeed. */
export const AUTH_CODES = new Set(["21119", "80001", "80002"]);
export const NOT_FOUND_CODES = new Set(["80020", "90102", "96018"]);
/**
 * The one answer that says the cluster does not exist: v2's 96018. v1's 80020 reads "not exist
 * *or you don't have permission*", so the driver confirms it with the cluster list; 90102 means it
 * exists in another region; a bare HTTP 404 may be any gateway's. None of those is "gone".
 */
export const GONE_CODES = new Set(["96018"]);
/** Says "not found or not yours": gone only if a complete cluster list no longer has it. */
export const AMBIGUOUS_NOT_FOUND_CODES = new Set(["80020"]);
export const PERMISSION_CODES = new Set(["96014", "96015", "96016"]);
export const PLAN_CODES = new Set(["80021", "96021", "96022", "96028"]);
const INPUT_CODES = new Set(["90103", "90117", "96001", "96025", "96036"]);
export const FATAL_CODES = new Set([...AUTH_CODES, ...NOT_FOUND_CODES, ...PERMISSION_CODES, ...PLAN_CODES, ...INPUT_CODES]);

/** What a fix looks like, appended to the cloud's own message for codes people will meet. */
const HINTS: Readonly<Record<string, string>> = {
  "21119": "check zillizcloud:apiKey / ZILLIZCLOUD_API_KEY (an API key from the Zilliz Cloud console, not a cluster token)",
  "80001": "check zillizcloud:apiKey / ZILLIZCLOUD_API_KEY (an API key from the Zilliz Cloud console, not a cluster token)",
  "80002": "the API key is no longer valid (revoked or expired); create a new one in the Zilliz Cloud console",
  "90102": "the v1 host is per region: check that region matches the cluster's regionId",
  "90117": "the v1 host name is wrong: check region (and v1ChinaDomain for China regions)",
  "96014": "the API key belongs to another organization than the cluster",
  "96015": "the API key needs Org owner or Project owner rights",
  "96016": "the API key's scope does not include this cluster",
};

/**
 * The rate-limit answer is UNCONFIRMED (no code is documented): HTTP 429, a code of 429, or a
 * message that reads like throttling all count, under any HTTP status.
 */
export function isRateLimited(codeText: string, httpStatus: number, message: string): boolean {
  return httpStatus === 429 || codeText === "429" || /rate.?limit|too many requests|throttl|requests per second|request limit/i.test(message);
}

export function isRetryableAnswer(codeText: string, httpStatus: number, message: string): boolean {
  if (FATAL_CODES.has(codeText)) return false;
  if (isRateLimited(codeText, httpStatus, message)) return true;
  return httpStatus >= 500;
}

/**
 * Wrong-state suspend/resume has no documented code (UNCONFIRMED). Terraform's mock answers HTTP
 * 400 "cluster status is not RUNNING"; our emulator answers HTTP 400 `{code: 400, message:
 * "Cluster status is not RUNNING ..."}`. A 400/409 (status or code) whose message talks about the
 * cluster's status, or any code listed in `extraCodes`, is a conflict.
 */
export function looksLikeStateConflict(codeText: string, httpStatus: number | undefined, message: string, extraCodes: ReadonlySet<string> = new Set()): boolean {
  if (extraCodes.has(codeText)) return true;
  if (FATAL_CODES.has(codeText)) return false;
  const conflictish = httpStatus === 400 || httpStatus === 409 || codeText === "400" || codeText === "409";
  const aboutState = /\bstatus\b|\bstate\b|in progress|being (suspended|resumed|modified|created)|not (running|stopped|suspended)/i.test(message);
  return conflictish && aboutState;
}

export interface ParseContext {
  operation: ZillizOperation;
  clusterId?: string;
}

export interface Parsed<T> {
  data: T;
  requestId?: string;
}

export function requestIdOf(res: Pick<HttpResponse, "headers">): string | undefined {
  return res.headers["requestid"] ?? res.headers["request-id"] ?? res.headers["x-request-id"] ?? undefined;
}

/**
 * Turns one HTTP response into validated data, or throws:
 * - ClusterNotFoundError for 96018 only (see GONE_CODES);
 * - CloudApiError with the cloud's code, message, HTTP status and `requestid` otherwise
 *   (`retryable` for 5xx and rate limits; code "InvalidResponse" for bodies we cannot read).
 */
export function parseResponse<T>(res: HttpResponse, schema: z.ZodType<T>, ctx: ParseContext): Parsed<T> {
  const requestId = requestIdOf(res);
  const retryAfter = retryAfterMs(res.headers["retry-after"]);
  const fail = (codeText: string, message: string, retryable: boolean): never => {
    const init = {
      cloud: "zillizcloud" as const,
      code: codeText,
      message: redact(message),
      action: ctx.operation,
      requestId,
      httpStatus: res.status,
      retryable,
      ...(retryAfter !== undefined && { retryAfterMs: retryAfter }),
    };
    if (ctx.clusterId && GONE_CODES.has(codeText)) throw new ClusterNotFoundError({ ...init, clusterId: ctx.clusterId });
    throw new CloudApiError(init);
  };

  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    const kind = res.headers["content-type"]?.split(";")[0] ?? "no content type";
    // Redact before cutting, so a key split by the cut cannot slip through half-masked.
    const snippet = redact(res.text).replace(/\s+/g, " ").trim().slice(0, 160);
    if (res.status >= 400) {
      const codeText = `HTTP${res.status}`;
      return fail(codeText, `HTTP ${res.status} with a non-JSON body (${kind}): ${snippet || "(empty)"}`, isRetryableAnswer(codeText, res.status, ""));
    }
    // A cut or garbled 2xx body is a transport accident as far as a read is concerned.
    return fail("InvalidResponse", `the response is not JSON (${kind}): ${snippet || "(empty)"}`, true);
  }

  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return fail("InvalidResponse", `unexpected response shape (HTTP ${res.status}): not a JSON object`, false);
  const { code: rawCode, message, error, data } = envelope.data;
  const codeText = rawCode === undefined ? undefined : String(rawCode).trim();
  // Terraform treats a missing code like 0; so do we, for 2xx answers only.
  const success = res.status < 400 && (codeText === undefined || codeText === "0" || codeText === "200");
  if (!success) {
    const text = message ?? error ?? `HTTP ${res.status}`;
    const finalCode = codeText ?? `HTTP${res.status}`;
    const hint = HINTS[finalCode];
    return fail(finalCode, hint ? `${text} (${hint})` : text, isRetryableAnswer(finalCode, res.status, text));
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `data${issue.path.length ? "." + issue.path.join(".") : ""}: ${issue.message}` : "data";
    return fail("InvalidResponse", `unexpected response shape for ${ctx.operation}: ${where}`, false);
  }
  return { data: parsed.data, requestId };
}
