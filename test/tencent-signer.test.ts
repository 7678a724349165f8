import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSigningKey, parseAuthorization, sha256Hex, signTc3, utcDate } from "../src/clouds/tencent/signer";

const require = createRequire(import.meta.url);
// The official signer, a dev dependency only: the oracle for the randomized agreement below.
const Sign = require("tencentcloud-sdk-nodejs-common/tencentcloud/common/sign").default as {
  sign3(args: Record<string, unknown>): string;
};
const JSONbig = require(require.resolve("json-bigint", { paths: [require.resolve("tencentcloud-sdk-nodejs-common")] }))({
  useNativeBigInt: true,
}) as { stringify(v: unknown): string };

describe("TC3-HMAC-SHA256 published vectors", () => {
  it("reproduces the Signature v3 doc example and every intermediate value (research 3.4)", () => {
    const payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
    const secretKey = "*".repeat(32);
    expect(sha256Hex(payload)).toBe("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");

    const keys = deriveSigningKey(secretKey, "2019-02-25", "cvm");
    expect(keys.secretDate.toString("hex")).toBe("da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0");
    expect(keys.secretService.toString("hex")).toBe("8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f");
    expect(keys.secretSigning.toString("hex")).toBe("b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af");

    const signed = signTc3({
      secretId: `AKID${"*".repeat(32)}`,
      secretKey,
      service: "cvm",
      timestamp: 1551113065,
      method: "POST",
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        Host: "cvm.tencentcloudapi.com",
        "X-TC-Action": "DescribeInstances",
      },
      payload,
    });
    expect(signed.canonicalRequest).toBe(
      "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\n" +
        "content-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
    );
    expect(sha256Hex(signed.canonicalRequest)).toBe("7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84");
    expect(signed.stringToSign).toBe(
      "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
    );
    expect(signed.signature).toBe("10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f");
    expect(signed.authorization).toBe(
      "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, " +
        "SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
    );
  });

  it("reproduces the nodejs SDK unit-test vector (research 3.5)", () => {
    const signed = signTc3({
      secretId: "test-secret-id",
      secretKey: "test-secret-key",
      service: "cvm",
      timestamp: 1640995200,
      method: "POST",
      headers: { "Content-Type": "application/json", Host: "cvm.tencentcloudapi.com" },
      payload: '{"Action":"DescribeInstances","Version":"2017-03-12"}',
    });
    expect(signed.authorization).toBe(
      "TC3-HMAC-SHA256 Credential=test-secret-id/2022-01-01/cvm/tc3_request, SignedHeaders=content-type;host, " +
        "Signature=96473b50fe407833672a5d6d067238d88bb44c8abcc39ef83baa3132afbfadd3",
    );
    expect(parseAuthorization(signed.authorization)).toEqual({
      secretId: "test-secret-id",
      date: "2022-01-01",
      service: "cvm",
      signedHeaders: ["content-type", "host"],
      signature: "96473b50fe407833672a5d6d067238d88bb44c8abcc39ef83baa3132afbfadd3",
    });
  });

  it("dates the credential scope in UTC", () => {
    expect(utcDate(1640995199)).toBe("2021-12-31");
    expect(utcDate(1640995200)).toBe("2022-01-01");
  });
});

const ACTIONS = ["PauseServerless", "ResumeServerless", "DescribeClusterDetail", "DescribeFlow", "DescribeClusters"];
const REGIONS = ["ap-guangzhou", "ap-shanghai", "ap-shenzhen-fsi", "eu-frankfurt", "na-ashburn", "sa-saopaulo"];

const requestArb = fc.record({
  action: fc.oneof(fc.constantFrom(...ACTIONS), fc.stringMatching(/^[A-Z][A-Za-z]{2,30}$/)),
  region: fc.constantFrom(...REGIONS),
  hostForm: fc.constantFrom("default", "intl", "regional"),
  // Timestamps within two minutes of a UTC midnight, any day between 2001 and 2060.
  day: fc.integer({ min: 11_323, max: 32_872 }),
  secondsFromMidnight: fc.integer({ min: -120, max: 120 }),
  secretId: fc.stringMatching(/^AKID[A-Za-z0-9]{32}$/),
  secretKey: fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
  token: fc.option(fc.string({ minLength: 10, maxLength: 200 }), { nil: undefined }),
  contentType: fc.constantFrom("application/json", "application/json; charset=utf-8"),
  body: fc.dictionary(fc.string({ maxLength: 12, unit: "grapheme" }), fc.oneof(fc.string({ unit: "binary" }), fc.integer(), fc.boolean())),
});

function hostFor(form: string, region: string): string {
  if (form === "intl") return "cynosdb.intl.tencentcloudapi.com";
  if (form === "regional") return `cynosdb.${region}.tencentcloudapi.com`;
  return "cynosdb.tencentcloudapi.com";
}

describe("agreement with the official tencentcloud-sdk-nodejs-common signer", () => {
  it("produces the same Authorization on 300 random requests (exact body bytes)", () => {
    let runs = 0;
    fc.assert(
      fc.property(requestArb, (r) => {
        runs++;
        const host = hostFor(r.hostForm, r.region);
        const timestamp = r.day * 86_400 + r.secondsFromMidnight;
        const payload = JSON.stringify({ ...r.body, ClusterId: "cynosdbmysql-8vcxoq75", Region: r.region, Token: r.token });
        const ours = signTc3({
          secretId: r.secretId,
          secretKey: r.secretKey,
          service: "cynosdb",
          timestamp,
          method: "POST",
          headers: { "Content-Type": r.contentType, Host: host },
          payload,
        });
        const official = Sign.sign3({
          method: "POST",
          url: `https://${host}/`,
          payload: Buffer.from(payload, "utf8"),
          timestamp,
          service: "cynosdb",
          secretId: r.secretId,
          secretKey: r.secretKey,
          multipart: false,
          headers: { "Content-Type": r.contentType, "X-TC-Action": r.action, "X-TC-Token": r.token ?? "" },
        });
        expect(ours.authorization).toBe(official);
      }),
      { numRuns: 300 },
    );
    expect(runs).toBe(300);
  });

  it("agrees when the SDK serializes the payload object itself (200 runs)", () => {
    let compared = 0;
    fc.assert(
      fc.property(requestArb, (r) => {
        const payloadObject = { Action: r.action, ...r.body };
        // The SDK hashes json-bigint's serialization; we sign the exact string we send.
        const sent = JSONbig.stringify(payloadObject);
        const timestamp = r.day * 86_400 + r.secondsFromMidnight;
        const host = hostFor(r.hostForm, r.region);
        const ours = signTc3({
          secretId: r.secretId,
          secretKey: r.secretKey,
          service: "cynosdb",
          timestamp,
          method: "POST",
          headers: { "content-type": r.contentType, host },
          payload: sent,
        });
        const official = Sign.sign3({
          method: "POST",
          url: `https://${host}`,
          payload: payloadObject,
          timestamp,
          service: "cynosdb",
          secretId: r.secretId,
          secretKey: r.secretKey,
          multipart: false,
          headers: { "Content-Type": r.contentType },
        });
        compared++;
        expect(ours.authorization).toBe(official);
      }),
      { numRuns: 200 },
    );
    expect(compared).toBe(200);
  });
});
