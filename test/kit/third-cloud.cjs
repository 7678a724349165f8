// A third cloud that exists only in the tests: the smallest descriptor, driver and emulator part
// that go through the registry. It proves a new cloud is a folder plus a registration: the
// provider (through the real dynamic-provider host), the CLI and the emulator serve it unchanged.
//
// Plain CommonJS, so the provider host and the CLI can load it with `node --require` (see
// third-cloud-preload.cjs); the package's own pieces are passed in, so each process registers it
// in its own copy of the registry.
"use strict";

const NAME = "fakecloud";

/** @param {{ z: typeof import("zod").z, ConfigurationError: any, CloudApiError: any, ClusterNotFoundError: any, safeEndpoint: (url: string, field: string) => URL }} deps */
module.exports = function thirdCloud({ z, ConfigurationError, CloudApiError, ClusterNotFoundError, safeEndpoint }) {
  const validateClusterId = (id) => {
    if (typeof id !== "string" || !/^fk-[a-z0-9]{3,}$/.test(id)) {
      throw new ConfigurationError("clusterId", `${JSON.stringify(id)} is not a fakecloud cluster id; expected e.g. "fk-abc123".`);
    }
    return id;
  };
  const validateRegion = (region) => {
    if (typeof region !== "string" || !/^fk-[a-z]+$/.test(region)) throw new ConfigurationError("region", `${JSON.stringify(region)} is not a fakecloud region; use e.g. "fk-north".`);
    return region;
  };

  function createDriver(request) {
    const token = request.config.token ?? request.env.FAKECLOUD_TOKEN;
    if (!token) throw new ConfigurationError("fakecloud:token", "no fakecloud token: set fakecloud:token or FAKECLOUD_TOKEN.");
    const raw = request.endpoint ?? request.config.endpoint ?? request.env.FAKECLOUD_ENDPOINT;
    if (!raw) throw new ConfigurationError("endpoint", "fakecloud has no public API: set endpoint, fakecloud:endpoint or FAKECLOUD_ENDPOINT.");
    const base = safeEndpoint(raw, "endpoint");
    const call = async (method, path, action, clusterId, signal) => {
      const res = await fetch(new URL(path, base), { method, headers: { "x-fake-token": token }, signal });
      const body = await res.json();
      if (res.status === 404) throw new ClusterNotFoundError({ cloud: NAME, code: "NoSuchCluster", message: body.message, action, requestId: body.requestId, clusterId });
      if (res.status !== 200) throw new CloudApiError({ cloud: NAME, code: body.code ?? `HTTP${res.status}`, message: body.message ?? "", action, requestId: body.requestId });
      return body;
    };
    return {
      cloud: NAME,
      scope: `${NAME}:${base.host}`,
      async describe(clusterId, signal) {
        const id = validateClusterId(clusterId);
        const body = await call("GET", `/fake/clusters/${id}`, "Describe", id, signal);
        return { clusterId: id, power: body.state, rawStatus: body.state, requestId: body.requestId };
      },
      async write(operation, clusterId, options, signal) {
        const id = validateClusterId(clusterId);
        const deep = options.deep === true ? "?deep=1" : "";
        const body = await call("POST", `/fake/clusters/${id}/${operation}${deep}`, operation, id, signal);
        return { operation, requestId: body.requestId };
      },
      isStateConflict: () => false,
    };
  }

  class FakeEmulatorPart {
    constructor(context, seed) {
      this.cloud = NAME;
      this.context = context;
      this.clusters = new Map();
      for (const id of seed?.clusters ?? ["fk-demo1"]) this.addCluster(id, "running");
      this.requests = 0;
      /** Every accepted write, with its cloud-only switch. */
      this.writes = [];
    }
    addCluster(id, state) {
      this.clusters.set(id, { steady: state, moving: undefined });
    }
    stateOf(id) {
      const c = this.clusters.get(id);
      if (!c) return undefined;
      if (c.moving && this.context.now() >= c.moving.until) {
        c.steady = c.moving.to;
        c.moving = undefined;
      }
      return c.moving ? (c.moving.to === "paused" ? "pausing" : "resuming") : c.steady;
    }
    accepts(call) {
      return call.path.startsWith("/fake/");
    }
    async handle(call) {
      const requestId = `fake-${++this.requests}`;
      const url = new URL(call.path, "http://x");
      const [, , , id, operation] = url.pathname.split("/");
      const action = operation ?? "Describe";
      const reply = (status, body) => {
        this.context.log.add({ at: this.context.now(), cloud: NAME, action, clusterId: id, outcome: status === 200 ? "ok" : body.code, httpStatus: status, headers: call.headers, body: call.body });
        return { reply: { status, headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, requestId }) } };
      };
      if (call.headers["x-fake-token"] !== "fake-token") return reply(401, { code: "BadToken", message: "token refused" });
      const state = this.stateOf(id);
      if (state === undefined) return reply(404, { code: "NoSuchCluster", message: `no cluster ${id}` });
      if (call.method === "GET") return reply(200, { state });
      const to = operation === "pause" ? "paused" : "running";
      const from = operation === "pause" ? "running" : "paused";
      if (state !== from) return reply(409, { code: "WrongState", message: `cluster is ${state}` });
      this.clusters.get(id).moving = { to, until: this.context.now() + this.context.transitionMs() };
      this.writes.push({ clusterId: id, operation, deep: url.searchParams.get("deep") === "1" });
      return reply(200, {});
    }
  }

  return {
    name: NAME,
    title: "Fake Cloud clusters (tests only)",
    exampleClusterId: "fk-abc123",
    inputs: {
      deep: { schema: z.boolean({ error: "must be true or false" }), default: false, why: "only fakecloud sleeps deeply", sentWithWrites: true },
    },
    validateRegion,
    validateClusterId,
    regionRequired: () => undefined,
    validateEndpoint: (endpoint) => void safeEndpoint(endpoint, "endpoint"),
    config: [
      { key: "token", secret: true, env: ["FAKECLOUD_TOKEN"] },
      { key: "endpoint", secret: false, env: ["FAKECLOUD_ENDPOINT"] },
    ],
    createDriver,
    isGone: () => false,
    toleratesAutoPause: () => false,
    receiptFields: [],
    cli: {
      credentialEnv: { required: ["FAKECLOUD_TOKEN"], optional: [] },
      endpointEnv: "FAKECLOUD_ENDPOINT",
      sites: [],
      regionHelp: "fakecloud: not needed",
      flags: [{ flags: "--deep", attribute: "deep", description: "fakecloud only: sleep deeply", commands: ["pause"] }],
      request: (flags, env) => ({ region: flags.region, endpoint: flags.endpoint, config: {}, options: {}, env }),
      writeOptions: (flags) => ({ deep: flags.deep === true }),
    },
    emulator: {
      seedSchema: z.object({ clusters: z.array(z.string()).optional() }).strict(),
      create: (context, seed) => new FakeEmulatorPart(context, seed),
      banner: (part, url) => ({
        exports: [`export FAKECLOUD_TOKEN=fake-token FAKECLOUD_ENDPOINT=${url}`],
        rows: [...part.clusters.keys()].map((id) => [id, "-", part.stateOf(id), "test cloud"]),
      }),
    },
  };
};
