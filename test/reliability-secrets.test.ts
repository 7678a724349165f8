import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDriver, type DriverSettings } from "./kit/drivers";
import { ConfigurationError } from "../src/core/errors";
import { cleanEnv, startCli } from "./cli-helpers";
import { Recorder } from "./reliability/record";
import {
  CANARY,
  CANARY_MARKER,
  canaryConfig,
  canaryTencentKey,
  Engine,
  findCanaries,
  KITS,
  requestLogText,
  resource,
  shim,
  sleep,
  startCanaryEmulator,
  startCanaryHost,
  type CloudKit,
  type Emulator,
  type RunningHost,
} from "./reliability/fixtures";
import { ROOT } from "./harness/provider-harness";

/**
 * Secrets and endpoints. Canary credentials go through a whole lifecycle (and the error paths
 * where a cloud echoes a credential back) via the real host and the CLI; every text a user or a
 * state file could see is scanned. Then the endpoint rules: no credentials over plain http except
 * to loopback, no redirects followed, TLS checks never disabled.
 */

const recorder = new Recorder("secrets", "Secrets and endpoints");
const texts: Record<string, string> = {};
let emulator: Emulator;
let running: RunningHost;

const tencentDriver = (endpoint: string): DriverSettings => ({
  cloud: "tencentcloud",
  region: "ap-guangzhou",
  endpoint,
  credentials: { secretId: CANARY.tencentSecretId, secretKey: CANARY.tencentSecretKey, token: CANARY.tencentToken },
  retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  requestTimeoutMs: 3000,
});
const zillizDriver = (endpoint: string): DriverSettings => ({
  cloud: "zillizcloud",
  endpoint,
  apiKey: CANARY.zillizApiKey,
  retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  requestTimeoutMs: 3000,
});
const DRIVERS: Array<[CloudKit, (endpoint: string) => DriverSettings, string]> = [
  [KITS[0], tencentDriver, "cynosdbmysql-8vcxoq75"],
  [KITS[1], zillizDriver, "in01-3a8c1f5e2b7d9a4"],
];

/** A loopback server (on every interface when asked) that counts what reaches it. */
async function countingServer(
  handler: (res: import("node:http").ServerResponse) => void,
  host = "127.0.0.1",
): Promise<{ server: Server; port: number; hits: Array<{ url: string; headers: Record<string, unknown> }>; close(): Promise<void> }> {
  const hits: Array<{ url: string; headers: Record<string, unknown> }> = [];
  const server = createHttpServer((req, res) => {
    hits.push({ url: req.url ?? "", headers: req.headers });
    req.resume();
    handler(res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  // Temporary Tencent keys, so the session token is a canary too.
  emulator = await startCanaryEmulator({ transitionMs: 200, tencent: { keys: [canaryTencentKey({ token: CANARY.tencentToken })], clusters: [] } });
  running = await startCanaryHost(emulator, { config: canaryConfig(emulator, { "tencentcloud:securityToken": CANARY.tencentToken }) });
});

afterAll(async () => {
  texts["host stdout/stderr"] = running.host.logs();
  texts["emulator request log (outside Authorization and X-TC-Token)"] = requestLogText(emulator);
  const found = findCanaries(texts);
  recorder.scanned(Object.keys(texts).length, found);
  recorder.figure("texts scanned for canaries", Object.keys(texts).length);
  recorder.figure("canary occurrences found", found.length);
  recorder.save();
  await running.host.stop();
  await emulator.stop();
  expect(found).toEqual([]);
});

describe("canary credentials through a whole lifecycle", () => {
  it.each(KITS)("$cloud: create, update, refresh, echoed errors and delete leak nothing", async (kit) => {
    const providerText = await shim();
    expect(findCanaries({ __provider: providerText })).toEqual([]);
    const engine = new Engine(running.host);
    const clusterId = kit.newCluster(emulator, "running");
    const res = resource(`secrets-${kit.cloud}`, { ...kit.inputs(clusterId), onDelete: "resume" }, providerText);
    const steps = [
      ...(await engine.up([res])),
      ...(await engine.up([{ ...res, inputs: { ...res.inputs, powerState: "running" } }])),
      ...(await engine.refresh()),
    ];
    expect(steps.filter((s) => s.error)).toEqual([]);
    // A cloud that echoes what it was sent back in its error text: in JSON, in an HTML page, in
    // garbage. (Tencent is sent the SecretId, the signature and the token, never the SecretKey;
    // the key is echoed too, to be thorough.)
    const echo = `credential ${kit.cloud === "tencentcloud" ? `${CANARY.tencentSecretKey} / ${CANARY.tencentToken}` : CANARY.zillizApiKey} rejected`;
    emulator.faults.push({ cloud: kit.cloud, action: kit.describeAction, clusterId, fault: { kind: "http", status: 403, body: `<html><body>${echo}</body></html>` } });
    const refreshed = await engine.refresh();
    emulator.faults.push({
      cloud: kit.cloud,
      action: kit.writeAction.pause,
      clusterId,
      fault: { kind: "error", code: kit.cloud === "tencentcloud" ? "AuthFailure.SignatureFailure" : "80001", message: echo },
    });
    const refused = await engine.up([{ ...res, inputs: { ...res.inputs, powerState: "paused" } }]);
    emulator.faults.push({ cloud: kit.cloud, action: kit.describeAction, clusterId, fault: { kind: "malformed", body: `{"oops": "${echo}` }, times: 5 });
    const garbled = await engine.refresh();
    const errors = [...refused, ...refreshed, ...garbled].map((s) => s.error?.details ?? "");
    expect(errors.filter(Boolean).length, JSON.stringify(errors)).toBeGreaterThanOrEqual(3);
    for (const e of errors) expect(e).not.toContain(CANARY_MARKER);
    // The redaction keeps the rest of the cloud's words.
    expect(errors.join("\n")).toContain("rejected");
    const destroyed = await engine.destroy();
    expect(destroyed.filter((s) => s.error)).toEqual([]);
    Object.assign(texts, {
      [`${kit.cloud} steps`]: JSON.stringify([steps, refused, refreshed, garbled, destroyed]),
      [`${kit.cloud} errors`]: errors.join("\n"),
      [`${kit.cloud} state`]: JSON.stringify([...engine.state.values()]),
    });
    recorder.add({ kind: "secret", cloud: kit.cloud, name: "lifecycle + cloud echoing the credential (JSON error, HTML page, garbage body)", outcome: "no canary in outputs, errors, host output or request log", count: steps.length + errors.length });
  });

  it("the CLI with canary credentials: stdout and stderr of status, pause, an echoed error and --json hold no secret", async () => {
    const tencentId = KITS[0].newCluster(emulator, "running");
    const zillizId = KITS[1].newCluster(emulator, "running");
    const env = cleanEnv({
      TENCENTCLOUD_SECRET_ID: CANARY.tencentSecretId,
      TENCENTCLOUD_SECRET_KEY: CANARY.tencentSecretKey,
      TENCENTCLOUD_SESSION_TOKEN: CANARY.tencentToken,
      ZILLIZCLOUD_API_KEY: CANARY.zillizApiKey,
      CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: emulator.url,
      CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: emulator.url,
      CLUSTER_POWER_TIME_SCALE: "0.01",
    });
    emulator.faults.push(
      { cloud: "tencentcloud", action: "DescribeClusterDetail", clusterId: tencentId, fault: { kind: "error", code: "AuthFailure.SecretIdNotFound", message: `bad token ${CANARY.tencentToken}` } },
      { cloud: "zillizcloud", action: "describe", clusterId: zillizId, fault: { kind: "error", code: "80001", message: `bad key ${CANARY.zillizApiKey}` } },
    );
    const runs = [
      ["status", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--cluster-id", tencentId],
      ["status", "--cloud", "zillizcloud", "--cluster-id", zillizId, "--json"],
      ["pause", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--cluster-id", tencentId, "--timeout", "20"],
      ["pause", "--cloud", "zillizcloud", "--cluster-id", zillizId, "--json", "--timeout", "20"],
    ];
    const results = [];
    for (const argv of runs) results.push(await startCli(argv, env).done);
    expect(results.map((r) => r.code)).toEqual([1, 1, 0, 0]);
    expect(results[0].stderr + results[0].stdout).toContain("AuthFailure.SecretIdNotFound");
    for (const [i, r] of results.entries()) texts[`cli run ${i}`] = `${r.stdout}\n${r.stderr}`;
    for (const r of results) expect(`${r.stdout}${r.stderr}`).not.toContain(CANARY_MARKER);
    recorder.add({ kind: "secret", name: "CLI status/pause, human and --json, with an echoed credential", outcome: "no canary in stdout/stderr", count: runs.length });
  });
});

describe("endpoints", () => {
  const nonLoopbackIp = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

  it("plain http to anything but loopback is refused before any request (drivers, host, CLI)", async () => {
    // The server listens on every interface, so a request to any of these addresses would arrive.
    const trap = await countingServer((res) => res.end("{}"), "0.0.0.0");
    try {
      const refusedHosts = ["0.0.0.0", "[::ffff:127.0.0.1]", ...(nonLoopbackIp ? [nonLoopbackIp] : []), "example.com"];
      let refusals = 0;
      for (const host of refusedHosts) {
        const endpoint = `http://${host}:${trap.port}`;
        for (const [, settings] of DRIVERS) {
          expect(() => createDriver(settings(endpoint)), endpoint).toThrow(ConfigurationError);
          expect(() => createDriver(settings(endpoint))).toThrow(/refusing to send credentials .* use https, or plain http only to a loopback address/);
          refusals++;
        }
      }
      // Through the host: an endpoint in stack config, and one as a resource input.
      const providerText = await shim();
      for (const kit of KITS) {
        const endpoint = `http://${nonLoopbackIp ?? "0.0.0.0"}:${trap.port}`;
        const other = await startCanaryHost(emulator, { config: canaryConfig(emulator, { [`${kit.cloud}:endpoint`]: endpoint }) });
        try {
          const [step] = await new Engine(other.host).up([resource(`plain-http-${kit.cloud}`, kit.inputs(kit.newCluster(emulator, "running")), providerText)]);
          expect(step.error?.details).toMatch(/refusing to send credentials/);
          texts[`plain-http host ${kit.cloud}`] = `${step.error?.details}\n${other.host.logs()}`;
          refusals++;
        } finally {
          await other.host.stop();
        }
        const checked = await running.host.check(`urn:x::y::z::plain-${kit.cloud}`, {}, { ...kit.inputs("x"), endpoint, __provider: providerText });
        expect(checked.failures.map((f) => f.property)).toContain("endpoint");
        refusals++;
      }
      // Through the CLI, as a flag and as the environment variable.
      for (const [flag, env] of [
        [["--endpoint", `http://0.0.0.0:${trap.port}`], {}],
        [[], { CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: `http://0.0.0.0:${trap.port}` }],
      ] as Array<[string[], Record<string, string>]>) {
        const run = await startCli(["status", "--cloud", "zillizcloud", "--cluster-id", "in01-3a8c1f5e2b7d9a4", ...flag], cleanEnv({ ZILLIZCLOUD_API_KEY: CANARY.zillizApiKey, ...env })).done;
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/refusing to send credentials/);
        texts[`plain-http cli ${refusals}`] = run.stdout + run.stderr;
        refusals++;
      }
      expect(trap.hits).toEqual([]);
      // Control: the same server does see a loopback request, so silence above means refusal.
      const [, settings, id] = DRIVERS[1];
      await createDriver(settings(`http://127.0.0.1:${trap.port}`)).describe(id).catch(() => undefined);
      expect(trap.hits.length).toBe(1);
      recorder.add({ kind: "endpoint", name: "plain http to 0.0.0.0, ::ffff:127.0.0.1, a LAN address, example.com", outcome: "refused before any request", count: refusals });
    } finally {
      await trap.close();
    }
  });

  it.each([301, 302, 307, 308])("a %s redirect is not followed: the target gets nothing, the error says why", async (status) => {
    const target = await countingServer((res) => res.end("{}"));
    const redirector = await countingServer((res) => {
      res.writeHead(status, { location: `http://127.0.0.1:${target.port}/`, "content-type": "text/html" });
      res.end(`<html>moved</html>`);
    });
    try {
      for (const [kit, settings, id] of DRIVERS) {
        const driver = createDriver(settings(`http://127.0.0.1:${redirector.port}`));
        const read = (await driver.describe(id).catch((e: unknown) => e)) as Error;
        const write = (await driver.write("pause", id, {}).catch((e: unknown) => e)) as Error;
        for (const error of [read, write]) {
          expect(error, kit.cloud).toBeInstanceOf(Error);
          expect(error.message, kit.cloud).toContain(String(status));
          expect(error.message).not.toContain(CANARY_MARKER);
          texts[`redirect ${status} ${kit.cloud}`] = `${read.message}\n${write.message}`;
        }
      }
      expect(redirector.hits.length).toBeGreaterThanOrEqual(4);
      expect(target.hits).toEqual([]);
      recorder.add({ kind: "endpoint", name: `HTTP ${status} redirect to another loopback port`, outcome: "not followed; the second port got nothing", count: redirector.hits.length });
    } finally {
      await redirector.close();
      await target.close();
    }
  });

  it("TLS checks are never disabled: no switch in the source, and a self-signed loopback https endpoint fails with a TLS error", async () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|js)$/.test(name) && /rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity/.test(readFileSync(path, "utf8"))) offenders.push(path);
      }
    };
    walk(join(ROOT, "src"));
    expect(offenders).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), "cluster-power-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    const hits: string[] = [];
    const server = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (req, res) => {
      hits.push(req.url ?? "");
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const [kit, settings, id] of DRIVERS) {
        const error = (await createDriver(settings(`https://127.0.0.1:${port}`)).describe(id).catch((e: unknown) => e)) as Error;
        expect(error.message, kit.cloud).toMatch(/self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i);
        texts[`tls ${kit.cloud}`] = error.message;
      }
      // The same through the CLI binary: a TLS failure, and no HTTP request ever reached the server.
      const run = await startCli(["status", "--cloud", "zillizcloud", "--cluster-id", "in01-3a8c1f5e2b7d9a4", "--endpoint", `https://127.0.0.1:${port}`], cleanEnv({ ZILLIZCLOUD_API_KEY: CANARY.zillizApiKey })).done;
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toMatch(/self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i);
      texts["tls cli"] = run.stdout + run.stderr;
      await sleep(50);
      expect(hits).toEqual([]);
      recorder.add({ kind: "endpoint", name: "https to a self-signed certificate on loopback", outcome: "TLS error; no request reached the server", count: 3 });
      recorder.add({ kind: "endpoint", name: "source scan for rejectUnauthorized / NODE_TLS_REJECT_UNAUTHORIZED / checkServerIdentity", outcome: "none found", count: 1 });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
