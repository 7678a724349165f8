import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CREDENTIALS, ROOT, SHIM_FIXTURE, serializedShim } from "./harness/provider-harness";

/**
 * What every ClusterPowerState stores twice in state (inputs and outputs): the SDK's serialization
 * of the shared provider shim. It must stay small, secret-free, dependency-free and stable.
 */

describe("the serialized provider (__provider)", () => {
  it("is small and constant, whatever the implementation grows to", async () => {
    const { text } = await serializedShim();
    const bytes = Buffer.byteLength(text);
    // Seven methods the host calls, each wrapped by the SDK's serializer (~300 bytes apiece).
    expect(bytes).toBeLessThan(3 * 1024);
  });

  it("captures no module, no schema and no secret: it loads the package's implementation at run time", async () => {
    const cjs = createRequire(join(ROOT, "package.json"));
    const pulumi = cjs("@pulumi/pulumi");
    // Credentials present in the program process (config and environment) must not leak into it.
    pulumi.runtime.setConfig("tencentcloud:secretKey", CREDENTIALS.tencentSecretKey);
    process.env.ZILLIZCLOUD_API_KEY = CREDENTIALS.zillizApiKey;
    try {
      const { text, containsSecrets } = await serializedShim();
      expect(containsSecrets).toBe(false);
      for (const secret of Object.values(CREDENTIALS)) expect(text).not.toContain(secret);
      const requires = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(requires).toEqual(["node:module"]);
      expect(text).toContain('("pulumi-cluster-power/provider")');
      expect(text).not.toMatch(/zod|undici|@pulumi|safeParse/);
      expect(text).not.toContain(ROOT);
    } finally {
      delete process.env.ZILLIZCLOUD_API_KEY;
    }
  });

  it("resolves its run-time target through the package's exports from the program directory", () => {
    // The host runs in the program directory; inside this repository that is the package itself.
    for (const programDir of [ROOT, join(ROOT, "examples", "tencent-nightly"), join(ROOT, "examples", "zilliz-dedicated")]) {
      const resolved = createRequire(`${programDir}/`).resolve("pulumi-cluster-power/provider");
      expect(resolved, programDir).toBe(join(ROOT, "dist", "provider", "implementation.js"));
    }
    const implementation = createRequire(`${ROOT}/`)("pulumi-cluster-power/provider");
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      expect(typeof implementation[method], method).toBe("function");
    }
  });

  it("is byte-identical to the committed fixture", async () => {
    const { text } = await serializedShim();
    // If this fails, src/provider/shim.ts or the @pulumi/pulumi serializer changed. Stacks keep the
    // old text in state and it keeps working as long as "pulumi-cluster-power/provider" exports the
    // seven methods (the lifecycle suite runs read/delete with the fixture). Keep the old fixture
    // under another name for that suite, and commit the new text here.
    expect(text).toBe(readFileSync(SHIM_FIXTURE, "utf8"));
  });
});
