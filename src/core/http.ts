import { isIP } from "node:net";
import { EnvHttpProxyAgent, request, type Dispatcher } from "undici";
import { ConfigurationError, quoteInput, redact, registerSecret, TransportError } from "./errors";

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
    throw new ConfigurationError(field, `${quoteInput(raw)} is not a valid URL; use e.g. https://host or http://127.0.0.1:PORT.`);
  }
  // "127.0.0.1:PORT" would be taken as https and fail with a TLS error against a plain-http emulator.
  if (!raw.includes("://") && isLoopbackHost(url.hostname)) {
    throw new ConfigurationError(field, `${quoteInput(raw)} has no scheme; write http://${url.host} for a local emulator (or https://${url.host} if it speaks TLS).`);
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
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as curl and undici read them; a bad value fails here, before any timer.
  const proxy = proxyFor(req.url, process.env);
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
      ...(proxy && { dispatcher: proxyDispatcher(process.env) }),
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
    if (proxy) throw proxyError(error, req.url, proxy);
    // A refused or unresolvable connection never reached the server; anything later might have.
    const sent = !(code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "UND_ERR_CONNECT_TIMEOUT");
    if (isTlsMismatch(error)) {
      // OpenSSL's own text ("...:error:0A00010B:SSL routines::wrong version number") helps nobody.
      throw new TransportError(
        `TLS handshake with ${req.url.host} failed: the server does not speak TLS there. If it is a local emulator, use http://${req.url.host}.`,
        "network",
        false,
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new TransportError(redact(`network error talking to ${req.url.host}: ${code ?? ""} ${detail}`.trim()), "network", sent);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onCallerAbort);
  }
}

/** A plain-http server answered our TLS hello (https:// to an emulator, say). */
function isTlsMismatch(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? "";
  return code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG" || /wrong version number|packet length too long/i.test((error as Error)?.message ?? "");
}

/**
 * Pure: the wait an HTTP Retry-After header asks for, in ms (delta-seconds or an HTTP date), or
 * undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || (error as Error)?.name === "TimeoutError";
}

// ------------------------------------------------------------------------------------------------
// proxies

/** The proxy a request goes through, and the environment variable that named it. */
export interface ProxyRoute {
  url: URL;
  variable: string;
}

/** A proxy for messages: scheme, host and port, never its user:password. */
export function proxyLabel(route: ProxyRoute): string {
  return `${route.url.protocol}//${route.url.host} (from ${route.variable})`;
}

interface ProxySettings {
  http?: ProxyRoute;
  https?: ProxyRoute;
  noProxy: string;
}

/**
 * Pure: the proxy settings of an environment, read the way undici's EnvHttpProxyAgent reads them
 * (lower case first; HTTPS falls back to the HTTP proxy). A proxy without a scheme is http, as
 * with curl. A value that is no proxy URL is a ConfigurationError naming its variable.
 */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = env[name];
      if (value !== undefined) return value ? { name, value } : undefined;
    }
    return undefined;
  };
  const http = parseProxy(pick("http_proxy", "HTTP_PROXY"));
  const https = parseProxy(pick("https_proxy", "HTTPS_PROXY")) ?? http;
  return { http, https, noProxy: env.no_proxy ?? env.NO_PROXY ?? "" };
}

function parseProxy(setting: { name: string; value: string } | undefined): ProxyRoute | undefined {
  if (!setting) return undefined;
  const raw = setting.value.trim();
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    throw new ConfigurationError(setting.name, "is not a proxy URL; use e.g. http://proxy.example.com:3128 (or unset it).");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(setting.name, `names a ${url.protocol}// proxy; only http:// and https:// proxies are supported.`);
  }
  // Proxy credentials are secrets like any other: kept out of every message.
  registerSecret(url.password);
  registerSecret(decodeURIComponent(url.password));
  return { url, variable: setting.name };
}

/**
 * Pure: the proxy a request to `url` goes through, or undefined: EnvHttpProxyAgent's choice
 * (NO_PROXY: "*", host names with their subdomains, optional ports; test/proxy.test.ts holds the
 * two side by side), except that a loopback address is never proxied: plain http is allowed only
 * to this machine, and must stay on it.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): ProxyRoute | undefined {
  if (isLoopbackHost(url.hostname)) return undefined;
  const settings = proxySettings(env);
  const route = url.protocol === "https:" ? settings.https : settings.http;
  if (!route) return undefined;
  const noProxy = settings.noProxy;
  if (noProxy === "*") return undefined;
  const host = url.host.replace(/:\d*$/, "").toLowerCase();
  const port = Number.parseInt(url.port, 10) || (url.protocol === "https:" ? 443 : 80);
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed ? parsed[1] : entry).replace(/^\*?\./, "").toLowerCase();
    if (parsed && Number.parseInt(parsed[2], 10) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  return route;
}

/** One agent per proxy setting (the environment only changes in tests), built by undici from our reading of it. */
const proxyAgents = new Map<string, Dispatcher>();

function proxyDispatcher(env: NodeJS.ProcessEnv): Dispatcher {
  const settings = proxySettings(env);
  const key = JSON.stringify([settings.http?.url.href, settings.https?.url.href, settings.noProxy]);
  let agent = proxyAgents.get(key);
  if (!agent) {
    agent = new EnvHttpProxyAgent({ httpProxy: settings.http?.url.href, httpsProxy: settings.https?.url.href, noProxy: settings.noProxy });
    proxyAgents.set(key, agent);
  }
  return agent;
}

/**
 * A failure on the way through a proxy names the proxy. The client only ever connects to the
 * proxy, so a refused or unresolved connection is the proxy's, and a refused tunnel never reached
 * the server: neither may have sent the request.
 */
function proxyError(error: unknown, target: URL, route: ProxyRoute): TransportError {
  const code = (error as { code?: string }).code ?? "";
  const detail = error instanceof Error ? error.message : String(error);
  const via = `${target.host} through proxy ${proxyLabel(route)}`;
  const refused = /Proxy response \((\d+)\)/.exec(detail) ?? (/Proxy Authentication Required \((407)\)/.exec(detail));
  if (refused) {
    const status = Number(refused[1]);
    const hint = status === 407 ? " It wants credentials: put them in the proxy URL (http://user:password@host:port)." : " Check that the proxy allows this host (or list the host in NO_PROXY).";
    return new TransportError(redact(`the proxy refused the connection to ${via}: HTTP ${status}.${hint}`), "network", false);
  }
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return new TransportError(redact(`could not reach the proxy for ${via}: ${code} ${detail}`.trim()), "network", false);
  }
  return new TransportError(redact(`network error talking to ${via}: ${code} ${detail}`.replace(/ +/g, " ").trim()), "network", true);
}
