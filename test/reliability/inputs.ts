import fc from "fast-check";
import { UNKNOWN } from "../../src/provider/schema";

/**
 * Generators of resource inputs and CLI argument lists for the bad-input suite: mostly wrong,
 * some right, many nearly right (one field mutated from a valid set), the way people get it wrong.
 */

const junk = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(""),
  fc.constant("   "),
  fc.constant(UNKNOWN),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);

const ENDPOINTS = [
  "https://cynosdb.tencentcloudapi.com",
  "https://api.cloud.zilliz.com/v2",
  "http://127.0.0.1:1",
  "http://localhost:8080",
  "http://[::1]:9",
  "http://example.com",
  "http://10.0.0.1:8080",
  "ftp://127.0.0.1",
  "https://user:pw@api.cloud.zilliz.com",
  "not a url",
  "https://cynosdb.tencentcloudapi.com/some/path",
  "http://127.0.0.1.evil.example",
  "https://",
];

const VALID = {
  tencentcloud: { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou" },
  zillizcloud: { cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4", region: "aws-us-west-2" },
} as const;

/** Each input: sometimes a good value, often a plausible wrong one, sometimes anything at all. */
export const inputFieldArbs: Record<string, fc.Arbitrary<unknown>> = {
  cloud: fc.oneof(fc.constantFrom("tencentcloud", "zillizcloud", "TencentCloud", "tencent", "zilliz", "aws"), junk),
  clusterId: fc.oneof(
    fc.constantFrom(VALID.tencentcloud.clusterId, VALID.zillizcloud.clusterId, "cynosdbmysql-ins-abc123", "in01-", "CYNOSDBMYSQL-ABCDEF", " cynosdbmysql-8vcxoq75 "),
    fc.stringMatching(/^cynosdbmysql-[a-z0-9]{0,24}$/),
    fc.stringMatching(/^in\d{2}-[0-9a-zA-Z_-]{0,20}$/),
    junk,
  ),
  region: fc.oneof(fc.constantFrom("ap-guangzhou", "aws-us-west-2", "gcp-us-west1", "ap-shenzhen-fsi", "guangzhou", "AP-GUANGZHOU", "us-west-2"), junk),
  powerState: fc.oneof(fc.constantFrom("running", "paused", "stopped", "RUNNING", "suspended", "on"), junk),
  forcePause: fc.oneof(fc.boolean(), fc.constantFrom("true", 1, 0), junk),
  allowAutoPause: fc.oneof(fc.boolean(), fc.constantFrom("false", 0), junk),
  apiVersion: fc.oneof(fc.constantFrom("v1", "v2", "v3", "V2", 2), junk),
  wait: fc.oneof(fc.boolean(), fc.constantFrom("yes", 1), junk),
  timeoutSeconds: fc.oneof(fc.integer({ min: -10, max: 200_000 }), fc.double(), fc.constantFrom("600", 0, 86_400, 86_401, 1.5), junk),
  onDelete: fc.oneof(fc.constantFrom("leave", "resume", "pause", "delete"), junk),
  endpoint: fc.oneof(fc.constantFrom(...ENDPOINTS), fc.webUrl(), junk),
};

/** Anything at all for each field, each field present or not, plus stray keys. */
export const generatedInputs = fc
  .tuple(
    fc.record(inputFieldArbs, { requiredKeys: [] }),
    fc.dictionary(fc.constantFrom("clusterID", "state", "id", "name", "secretKey", "apiKey", "timeout", "__proto__x"), junk, { maxKeys: 2 }),
  )
  .map(([fields, extra]) => ({ ...extra, ...fields }) as Record<string, unknown>);

/** A valid input set for one cloud with exactly one thing broken. */
export const mutatedInputs = fc
  .tuple(fc.constantFrom("tencentcloud", "zillizcloud" as const), fc.constantFrom(...Object.keys(inputFieldArbs)), fc.constantFrom("set", "drop", "stray"))
  .chain(([cloud, field, how]) =>
    inputFieldArbs[field].map((value) => {
      const base: Record<string, unknown> = { ...VALID[cloud], powerState: "paused" };
      if (how === "drop") delete base[field];
      else if (how === "stray") base[`${field}X`] = value;
      else base[field] = value;
      return base;
    }),
  );

// ---- CLI argument lists ---------------------------------------------------------------------

const flagValue = (values: string[]) => fc.oneof(fc.constantFrom(...values), fc.string({ maxLength: 12 }));

/** One option with a value that is often right and often not. */
const option = fc.oneof(
  flagValue(["tencentcloud", "zillizcloud", "aws", ""]).map((v) => ["--cloud", v]),
  flagValue(["cynosdbmysql-8vcxoq75", "in01-3a8c1f5e2b7d9a4", "cynosdbmysql-ins-x", "a b", "in01-", "CYNOS"]).map((v) => ["--cluster-id", v]),
  flagValue(["ap-guangzhou", "aws-us-west-2", "guangzhou", "AP-X"]).map((v) => ["--region", v]),
  fc.constantFrom(...ENDPOINTS).map((v) => ["--endpoint", v]),
  flagValue(["v1", "v2", "v3"]).map((v) => ["--api-version", v]),
  flagValue(["default", "intl", "regional", "global", "china", "mars"]).map((v) => ["--site", v]),
  flagValue(["600", "0", "-1", "abc", "0.5", "1e3"]).map((v) => ["--timeout", v]),
  flagValue(["0", "8080", "99999", "-1", "abc"]).map((v) => ["--port", v]),
  flagValue(["300", "-5", "1.5", "x"]).map((v) => ["--transition-ms", v]),
  flagValue(["/nonexistent/seed.json"]).map((v) => ["--seed", v]),
  fc.constantFrom("--json", "--no-wait", "--no-force", "--force", "--help", "-h", "--version", "--bogus", "-x", "--cloud", "--cluster-id", "--").map((flag) => [flag]),
  fc.string({ maxLength: 10 }).map((v) => [v]),
);

const command = fc.constantFrom("status", "pause", "resume", "emulator", "stop", "PAUSE", "", "help");

/** `cluster-power <command> <options...>`, options in any order. */
export const cliArgLists = fc.tuple(command, fc.array(option, { maxLength: 7 })).map(([cmd, opts]) => [...(cmd ? [cmd] : []), ...opts.flat()]);

/** A valid pause for one cloud with one option mutated, dropped or duplicated. */
export const mutatedCliArgLists = fc
  .tuple(fc.constantFrom("tencentcloud", "zillizcloud" as const), fc.integer({ min: 0, max: 5 }), option, fc.constantFrom("replace", "drop", "add"))
  .map(([cloud, index, extra, how]) => {
    const base = [
      ["--cloud", cloud],
      ["--cluster-id", VALID[cloud].clusterId],
      ["--region", VALID[cloud].region],
      ["--no-wait"],
      ["--timeout", "30"],
      ["--json"],
    ];
    if (how === "replace") base[index] = extra;
    else if (how === "drop") base.splice(index, 1);
    else base.splice(index, 0, extra);
    return ["pause", ...base.flat()];
  });
