import { describe, expect, it } from "vitest";
import { CloudApiError } from "../src/core/errors";
import { TransportError } from "../src/core/http";
import { SlidingWindowLimiter } from "../src/core/rate-limit";
import { isRetryableCode, parseResponse, schemas } from "../src/clouds/tencent/client";
import { resolveCredentials } from "../src/clouds/tencent/config";

const ok = (text: string, status = 200) => ({ status, headers: { "content-type": "application/json" }, text });

describe("cynosdb response parsing", () => {
  it("returns validated data", () => {
    const data = parseResponse("PauseServerless", "write", ok('{"Response":{"FlowId":1008306,"RequestId":"r-1"}}'), schemas.write);
    expect(data).toEqual({ FlowId: 1008306, RequestId: "r-1" });
  });

  it("turns the error envelope into a CloudApiError with code, message, RequestId, action", () => {
    const res = ok('{"Response":{"Error":{"Code":"OperationDenied.ServerlessClusterStatusDenied","Message":"no"},"RequestId":"r-2"}}');
    const error = (() => {
      try {
        parseResponse("PauseServerless", "write", res, schemas.write);
      } catch (e) {
        return e as CloudApiError;
      }
    })()!;
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({ code: "OperationDenied.ServerlessClusterStatusDenied", cloudMessage: "no", requestId: "r-2", action: "PauseServerless", httpStatus: 200, retryable: false });
  });

  it("reads: surprise shapes and bad JSON are CloudApiErrors, only a cut-off body is retryable", () => {
    expect(() => parseResponse("DescribeClusterDetail", "read", ok('{"Response":{"RequestId":"r"}}'), schemas.detail)).toThrow(
      expect.objectContaining({ code: "ClientError.UnexpectedResponse", retryable: false, requestId: "r" }),
    );
    expect(() => parseResponse("DescribeClusterDetail", "read", ok('{"Response": {"Req'), schemas.detail)).toThrow(
      expect.objectContaining({ code: "ClientError.ParseJsonError", retryable: true }),
    );
    expect(() => parseResponse("DescribeFlow", "read", ok("[1,2]"), schemas.flow)).toThrow(CloudApiError);
  });

  it("writes: an unusable 200 means 'may have been applied', a TransportError the engine re-reads after", () => {
    let error: unknown;
    try {
      parseResponse("PauseServerless", "write", ok('{"Response":{"RequestId":"r-3"}}'), schemas.write);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ sent: true });
    expect((error as Error).message).toContain("r-3");
  });

  it("non-200 without an envelope is HttpStatusCodeError, retryable on 5xx", () => {
    const html = { status: 502, headers: { "content-type": "text/html" }, text: "<html><h1>502 Bad Gateway</h1></html>" };
    expect(() => parseResponse("DescribeFlow", "read", html, schemas.flow)).toThrow(
      expect.objectContaining({ code: "ClientError.HttpStatusCodeError", httpStatus: 502, retryable: true }),
    );
    expect(() => parseResponse("DescribeFlow", "read", { ...html, status: 403 }, schemas.flow)).toThrow(expect.objectContaining({ retryable: false }));
  });

  it("classifies retryable codes", () => {
    for (const code of ["RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded", "FailedOperation.FlowCreateError", "InternalError.SystemError", "ResourceUnavailable", "ServiceUnavailable"]) {
      expect(isRetryableCode(code)).toBe(true);
    }
    for (const code of ["AuthFailure.SignatureFailure", "AuthFailure.SignatureExpire", "InvalidParameterValue.ParamError", "ResourceNotFound.ClusterNotFoundError", "OperationDenied.ServerlessClusterStatusDenied", "RequestLimitExceededX", "UnauthorizedOperation.PermissionDenied"]) {
      expect(isRetryableCode(code)).toBe(false);
    }
  });
});

describe("credentials", () => {
  it("explicit credentials win as a whole; env is the fallback; whitespace is trimmed", () => {
    const env = { TENCENTCLOUD_SECRET_ID: "AKIDenv", TENCENTCLOUD_SECRET_KEY: "envkey", TENCENTCLOUD_SESSION_TOKEN: "envtok" };
    expect(resolveCredentials({ secretId: "AKIDx", secretKey: "k" }, env)).toEqual({ secretId: "AKIDx", secretKey: "k" });
    expect(resolveCredentials(undefined, env)).toEqual({ secretId: "AKIDenv", secretKey: "envkey", token: "envtok" });
    expect(resolveCredentials({}, { TENCENTCLOUD_SECRET_ID: " AKIDs ", TENCENTCLOUD_SECRET_KEY: "k ", TENCENTCLOUD_SECURITY_TOKEN: "t" })).toEqual({
      secretId: "AKIDs",
      secretKey: "k",
      token: "t",
    });
    expect(() => resolveCredentials({ secretId: "AKIDx" }, env)).toThrow(/tencentcloud:secretKey/);
  });
});

describe("held limiter slots", () => {
  it("count from the release, so a slow response delays the next grant", async () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, marginMs: 0 }, () => now);
    const release = await limiter.acquireHeld("k");
    let second = false;
    void limiter.acquire("k").then(() => (second = true));
    now = 5000; // long after the grant, but the request is still in flight
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false); // the window now runs from the release
    now = 6000;
    await new Promise((r) => setTimeout(r, 1020));
    expect(second).toBe(true);
  });
});
