import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CloudApiError,
  ConfigurationError,
  errorCode,
  IncompleteListError,
  isClusterPowerError,
  OUR_ERROR_CODES,
  ReadDeadlineError,
  TransitionError,
  TransportError,
  UsageError,
} from "../src/core/errors";

const README = readFileSync(join(__dirname, "..", "README.md"), "utf8");

/** The codes in the first column of the README's "Our own errors" table. */
function catalogueCodes(): string[] {
  const section = README.split("### Our own errors")[1]?.split("\n### ")[0] ?? "";
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  return rows.map((row) => /^\| `([A-Za-z]+)`/.exec(row)?.[1] ?? `unparsable row: ${row}`);
}

describe("one error model", () => {
  it("the README's catalogue lists exactly our codes, each once", () => {
    const documented = catalogueCodes();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(OUR_ERROR_CODES).sort());
  });

  it("every error class answers a code from the catalogue or the cloud's own", () => {
    const cloud = new CloudApiError({ cloud: "x", code: "AuthFailure.SignatureFailure", message: "m", action: "A" });
    const cases: Array<[unknown, string]> = [
      [new ConfigurationError("region", "bad"), "ConfigurationError"],
      [new UsageError("--cloud", "bad"), "ConfigurationError"],
      [cloud, "AuthFailure.SignatureFailure"],
      [new TransportError("t", "timeout", true), "Timeout"],
      [new TransportError("t", "network", false), "NetworkError"],
      [new TransportError("t", "aborted", false), "Interrupted"],
      [new TransitionError("m", "deadline", {}), "DeadlineExceeded"],
      [new TransitionError("m", "failed-state", {}), "FailedState"],
      [new TransitionError("m", "unsupported", {}), "Unsupported"],
      [new TransitionError("m", "operation-failed", {}), "OperationFailed"],
      [new TransitionError("m", "aborted", {}), "Interrupted"],
      [new TransitionError("m", "cloud-error", { cause: cloud }), "AuthFailure.SignatureFailure"],
      [new ReadDeadlineError("m"), "DeadlineExceeded"],
      [new IncompleteListError("m"), "IncompleteList"],
      [new RangeError("oops"), "InternalError"],
    ];
    for (const [error, code] of cases) expect(errorCode(error), String(error)).toBe(code);
  });

  it("the brand survives a second copy of the package (the compiled dist/ beside these sources)", () => {
    const other = createRequire(__filename)("../dist/core/errors.js") as typeof import("../src/core/errors");
    const foreign = new other.TransitionError("from another copy", "deadline", {});
    expect(foreign instanceof TransitionError).toBe(false);
    expect(isClusterPowerError(foreign)).toBe(true);
    expect(errorCode(foreign)).toBe("DeadlineExceeded");
    expect(isClusterPowerError(new Error("plain"))).toBe(false);
    expect(isClusterPowerError(null)).toBe(false);
  });
});
