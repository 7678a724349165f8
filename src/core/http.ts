import { isIP } from "node:net";
import { request } from "undici";
import { ConfigurationError, redact, TransportError } from "./errors";

/**
 * The only place that touches the network. Credentials go over https, or over plain http to a
 * loopback address (the local emulator); redirects are never followed; TLS checks stay on.
 */

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/** Parses and vets an endpoint that credentials will be sent to. `field` names the setting for errors. */
export function safeEndpoint(raw: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `https://${raw}`);
  } catch {
    throw new ConfigurationError(field, `"${raw}" is not a valid URL; use e.g. https://host or http://127.0.0.1:PORT.`);
  }
  if (url.username || url.password) {
    throw new ConfigurationError(field, "must not contain user:password; credentials come from configuration.");
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new ConfigurationError(
    field,
    `refusing to send credentials to ${url.protocol}//${url.host}: use https, or plain http only to a loopback address (127.0.0.1, ::1, localhost).`,
  );
}

export interface HttpRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** Whole-request budget, connect to last byte. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

export { TransportError };

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  // A controller per request, let go the moment the request settles. AbortSignal.timeout and
  // AbortSignal.any would keep their timer and weak-ref bookkeeping for the whole timeout (60 s)
  // after each of the hundreds of requests a fleet makes.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no response within ${req.timeoutMs} ms`, "TimeoutError"));
  }, req.timeoutMs);
  const onCallerAbort = () => controller.abort(req.signal?.reason);
  if (req.signal?.aborted) onCallerAbort();
  else req.signal?.addEventListener("abort", onCallerAbort, { once: true });
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: controller.signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.body.destroy();
        throw new TransportError(`response from ${req.url.host} exceeds ${MAX_BODY_BYTES} bytes`, "network", true);
      }
      chunks.push(chunk as Buffer);
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    return { status: res.statusCode, headers, text: Buffer.concat(chunks).toString("utf8") };
  } catch (error) {
    if (error instanceof TransportError) throw error;
    if (req.signal?.aborted) throw new TransportError("request aborted", "aborted", true);
    if (timedOut || isTimeout(error)) {
      throw new TransportError(`no response from ${req.url.host} within ${req.timeoutMs} ms`, "timeout", true);
    }
    const code = (error as { code?: string }).code;
    // A refused or unresolvable connection never reached the server; anything later might have.
    const sent = !(code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "UND_ERR_CONNECT_TIMEOUT");
    const detail = error instanceof Error ? error.message : String(error);
    throw new TransportError(redact(`network error talking to ${req.url.host}: ${code ?? ""} ${detail}`.trim()), "network", sent);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onCallerAbort);
  }
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || (error as Error)?.name === "TimeoutError";
}
