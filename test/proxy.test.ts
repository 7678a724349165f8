import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import fc from "fast-check";
import { EnvHttpProxyAgent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { errorCode, TransportError } from "../src/core/errors";
import { httpRequest, proxyFor, proxySettings } from "../src/core/http";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { DEMO_ZILLIZ_API_KEY } from "../src/clouds/zilliz/emulator";
import { assertBuilt, cleanEnv, runCli } from "./cli-helpers";

/**
 * Users behind a corporate proxy set HTTPS_PROXY (and NO_PROXY); every request of the provider and
 * the CLI then goes through it as a CONNECT tunnel, TLS end to end. Here the "corporate proxy" is a
 * loopback CONNECT proxy written below, and the "cloud" a TLS server for api.proxy-test.example
 * (certificate from test/kit/proxy-tls, trusted through NODE_EXTRA_CA_CERTS) that only the proxy
 * can reach: the name resolves nowhere, so an answer proves the tunnel was used.
 */

const TLS_DIR = join(__dirname, "kit", "proxy-tls");
const HOST = "api.proxy-test.example";
const PROXY_PASSWORD = "pr0xy-pa55word-canary";

interface Proxy {
  url: string;
  /** CONNECT targets the proxy was asked for, in order. */
  tunnels: string[];
  /** "open", "refuse" (403 to every CONNECT) or "auth" (407 without the right Proxy-Authorization). */
  mode: "open" | "refuse" | "auth";
  close(): Promise<void>;
}

/** A CONNECT proxy that sends every tunnel for HOST:443 to `target` (a loopback port). */
async function startProxy(target: () => number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const server: Server = createHttpServer((_req, res) => res.writeHead(405).end());
  const proxy: Proxy = { url: "", tunnels: [], mode: "open", close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    proxy.tunnels.push(req.url ?? "");
    const expected = `Basic ${Buffer.from(`alice:${PROXY_PASSWORD}`).toString("base64")}`;
    if (proxy.mode === "refuse") return void client.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    if (proxy.mode === "auth" && req.headers["proxy-authorization"] !== expected) {
      return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="corp"\r\ncontent-length: 0\r\n\r\n');
    }
    if (req.url !== `${HOST}:443`) return void client.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
    const upstream = netConnect(target(), "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** TLS in front of the emulator, with HOST's certificate: the cloud as seen through the tunnel. */
async function startTlsFront(emulatorPort: () => number): Promise<{ port: number; close(): Promise<void> }> {
  const server: TlsServer = createTlsServer({ key: readFileSync(join(TLS_DIR, "server.key")), cert: readFileSync(join(TLS_DIR, "server.crt")) }, (tls) => {
    const upstream = netConnect(emulatorPort(), "127.0.0.1");
    tls.pipe(upstream);
    upstream.pipe(tls);
    upstream.on("error", () => tls.destroy());
    tls.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let emulator: Emulator;
let front: Awaited<ReturnType<typeof startTlsFront>>;
let proxy: Proxy;
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ transitionMs: 100 });
  front = await startTlsFront(() => emulator.port);
  proxy = await startProxy(() => front.port);
});
afterAll(async () => {
  await proxy?.close();
  await front?.close();
  await emulator?.stop();
});
afterEach(() => {
  for (const key of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"]) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  proxy.tunnels.length = 0;
  proxy.mode = "open";
});

async function failureOf(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

const request = (url: string) => httpRequest({ method: "GET", url: new URL(url), headers: {}, timeoutMs: 5_000 });

describe("HTTPS_PROXY through the CLI, end to end", () => {
  it("status reaches the cloud only through the proxy's CONNECT tunnel, TLS verified end to end", async () => {
    assertBuilt();
    const run = await runCli(
      ["status", "--cloud", "zillizcloud", "--cluster-id", "in01-3a8c1f5e2b7d9a4", "--endpoint", `https://${HOST}`, "--json"],
      cleanEnv({ ZILLIZCLOUD_API_KEY: DEMO_ZILLIZ_API_KEY, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: join(TLS_DIR, "ca.crt") }),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).clusters[0]).toMatchObject({ clusterId: "in01-3a8c1f5e2b7d9a4", observedState: "running" });
    expect(proxy.tunnels).toEqual([`${HOST}:443`]);
  });

  it("without a proxy the host cannot be reached at all: the name resolves nowhere", async () => {
    const error = await failureOf(request(`https://${HOST}/`));
    expect(errorCode(error)).toBe("NetworkError");
    expect(error.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(proxy.tunnels).toEqual([]);
  });
});

describe("a proxy that refuses is a clear NetworkError naming the proxy", () => {
  it("403 to CONNECT: names the proxy and its variable, says the request never reached the server", async () => {
    proxy.mode = "refuse";
    process.env.HTTPS_PROXY = proxy.url;
    const error = await failureOf(request(`https://${HOST}/v2/clusters`));
    expect(errorCode(error)).toBe("NetworkError");
    expect(error.sent).toBe(false);
    expect(error.message).toBe(
      `the proxy refused the connection to ${HOST} through proxy ${proxy.url} (from HTTPS_PROXY): HTTP 403. Check that the proxy allows this host (or list the host in NO_PROXY).`,
    );
  });

  it("407: asks for credentials in the proxy URL; with them the tunnel opens, and the password never shows", async () => {
    proxy.mode = "auth";
    process.env.https_proxy = proxy.url;
    const refused = await failureOf(request(`https://${HOST}/`));
    expect(refused.message).toContain("HTTP 407. It wants credentials: put them in the proxy URL");
    expect(refused.message).toContain(`through proxy ${proxy.url} (from https_proxy)`);

    process.env.https_proxy = proxy.url.replace("http://", `http://alice:${PROXY_PASSWORD}@`);
    // The tunnel opens; this process does not trust the test CA, so TLS is what fails now.
    const untrusted = await failureOf(request(`https://${HOST}/`));
    expect(proxy.tunnels.at(-1)).toBe(`${HOST}:443`);
    expect(untrusted.message).toMatch(/certificate/i);
    expect(untrusted.message).toContain(`through proxy ${proxy.url} (from https_proxy)`);
    for (const e of [refused, untrusted]) expect(e.message).not.toContain(PROXY_PASSWORD);
  });

  it("a proxy that is not there: 'could not reach the proxy', not the cloud's host", async () => {
    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    process.env.HTTPS_PROXY = `127.0.0.1:${port}`;
    const error = await failureOf(request(`https://${HOST}/`));
    expect(errorCode(error)).toBe("NetworkError");
    expect(error.sent).toBe(false);
    expect(error.message).toMatch(new RegExp(`^could not reach the proxy for ${HOST} through proxy http://127\\.0\\.0\\.1:${port} \\(from HTTPS_PROXY\\): ECONNREFUSED`));
  });

  it("a proxy variable that is no URL is a ConfigurationError naming it, before any connection", async () => {
    process.env.HTTPS_PROXY = "socks5://127.0.0.1:1080";
    await expect(request(`https://${HOST}/`)).rejects.toMatchObject({ code: "ConfigurationError", field: "HTTPS_PROXY" });
    process.env.HTTPS_PROXY = "http://[not a host";
    await expect(request(`https://${HOST}/`)).rejects.toMatchObject({ code: "ConfigurationError", field: "HTTPS_PROXY" });
  });
});

describe("what is never proxied", () => {
  it("loopback (the emulator, plain http): credentials stay on this machine whatever the proxy settings", async () => {
    process.env.HTTP_PROXY = proxy.url;
    process.env.HTTPS_PROXY = proxy.url;
    const res = await httpRequest({ method: "GET", url: new URL(`${emulator.url}/v2/clusters`), headers: { authorization: `Bearer ${DEMO_ZILLIZ_API_KEY}` }, timeoutMs: 5_000 });
    expect(res.status).toBe(200);
    expect(proxy.tunnels).toEqual([]);
  });

  it("NO_PROXY hosts and their subdomains go direct", () => {
    const env = { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "proxy-test.example, .internal:8443" };
    expect(proxyFor(new URL(`https://${HOST}/`), env)).toBeUndefined();
    expect(proxyFor(new URL("https://api.internal:8443/"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://api.internal/"), env)?.url.href).toBe("http://proxy.corp:3128/");
    expect(proxyFor(new URL("https://cynosdb.tencentcloudapi.com/"), env)).toMatchObject({ variable: "HTTPS_PROXY" });
    expect(proxyFor(new URL("https://cynosdb.tencentcloudapi.com/"), { ...env, NO_PROXY: "*" })).toBeUndefined();
  });
});

describe("proxyFor agrees with undici's EnvHttpProxyAgent (which routes the requests)", () => {
  /** Which of its agents EnvHttpProxyAgent picks for a URL: its own decision, read through its dispatch. */
  function undiciChoice(settings: ReturnType<typeof proxySettings>, url: URL): "direct" | "http" | "https" {
    const agent = new EnvHttpProxyAgent({ httpProxy: settings.http?.url.href, httpsProxy: settings.https?.url.href, noProxy: settings.noProxy });
    const symbol = (description: string, owner: object) => Object.getOwnPropertySymbols(owner).find((s) => s.description === description)!;
    const record = agent as unknown as Record<symbol, unknown>;
    const stub = (name: string) => ({ dispatch: () => name, close: async () => {}, destroy: async () => {} });
    const direct = stub("direct");
    const viaHttp = settings.http ? stub("http") : direct;
    record[symbol("no proxy agent", agent)] = direct;
    record[symbol("http proxy agent", agent)] = viaHttp;
    record[symbol("https proxy agent", agent)] = settings.https ? (settings.https === settings.http ? viaHttp : stub("https")) : viaHttp;
    const dispatch = symbol("dispatch", Object.getPrototypeOf(agent));
    return (agent as unknown as Record<symbol, (opts: object, handler: object) => "direct" | "http" | "https">)[dispatch]({ origin: url.origin }, {});
  }

  const label = fc.constantFrom("api", "cynosdb", "example", "tencentcloudapi", "corp", "internal", "com", "zilliz");
  const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("."));
  const noProxyEntry = fc.tuple(fc.constantFrom("", ".", "*."), host, fc.option(fc.constantFrom(443, 8443, 80), { nil: undefined })).map(([prefix, h, port]) => `${prefix}${h}${port ? `:${port}` : ""}`);

  it("for 2,000 generated hosts, ports and NO_PROXY lists (loopback aside, which we never proxy)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("http:", "https:"),
        host,
        fc.option(fc.constantFrom(443, 8443, 80, 9000), { nil: undefined }),
        fc.oneof(fc.constant(""), fc.constant("*"), fc.array(noProxyEntry, { maxLength: 4 }).map((e) => e.join(","))),
        fc.boolean(),
        (protocol, hostname, port, noProxy, httpsToo) => {
          const env: NodeJS.ProcessEnv = { HTTP_PROXY: "http://plain-proxy:3128", NO_PROXY: noProxy, ...(httpsToo && { HTTPS_PROXY: "http://tls-proxy:3129" }) };
          const url = new URL(`${protocol}//${hostname}${port ? `:${port}` : ""}/`);
          const ours = proxyFor(url, env);
          const theirs = undiciChoice(proxySettings(env), url);
          const expected = theirs === "direct" ? undefined : theirs === "https" ? "HTTPS_PROXY" : "HTTP_PROXY";
          expect(ours?.variable).toBe(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
