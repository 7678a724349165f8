import { ConfigurationError, quoteInput, registerSecret } from "../../core/errors";
import { safeEndpoint } from "../../core/http";

/** Where requests go and who signs them, resolved and vetted before any API call. */

export const CYNOSDB_SERVICE = "cynosdb";
export const CYNOSDB_VERSION = "2019-01-07";
export const ENDPOINT_ENV = "CLUSTER_POWER_TENCENTCLOUD_ENDPOINT";

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  /** STS session token (X-TC-Token); only with temporary keys. */
  token?: string;
}

export type TencentSite = "default" | "intl" | "regional";

/** e.g. ap-guangzhou, na-siliconvalley, ap-shenzhen-fsi. The supported list changes, so only the shape is checked. */
const REGION = /^[a-z]{2,4}-[a-z]+(?:-[a-z0-9]+)?$/;

export function validateRegion(region: unknown): string {
  if (typeof region !== "string" || !REGION.test(region.trim())) {
    throw new ConfigurationError(
      "region",
      `${quoteInput(region)} is not a Tencent Cloud region; use an API region id such as "ap-guangzhou" or "ap-shenzhen-fsi".`,
    );
  }
  return region.trim();
}

const CLUSTER_ID = /^cynosdbmysql-[a-z0-9]{6,20}$/;

export function validateClusterId(clusterId: unknown): string {
  const id = typeof clusterId === "string" ? clusterId.trim() : clusterId;
  if (typeof id === "string" && id.startsWith("cynosdbmysql-ins-")) {
    throw new ConfigurationError("clusterId", `${quoteInput(id)} is an instance id; use the cluster id (cynosdbmysql-xxxxxxxx) shown on the cluster page.`);
  }
  if (typeof id !== "string" || !CLUSTER_ID.test(id)) {
    throw new ConfigurationError(
      "clusterId",
      `${quoteInput(clusterId)} is not a TDSQL-C MySQL cluster id; expected e.g. "cynosdbmysql-8vcxoq75".`,
    );
  }
  return id;
}

/**
 * The endpoint: explicit option, then CLUSTER_POWER_TENCENTCLOUD_ENDPOINT, then the site's host.
 * Regional hosts keep the region's full name, so financial regions land on their *-fsi host.
 */
export function resolveEndpoint(options: { region: string; endpoint?: string; site?: TencentSite }, env: NodeJS.ProcessEnv): URL {
  if (options.endpoint) return apiRoot(safeEndpoint(options.endpoint, "endpoint"), "endpoint");
  const fromEnv = env[ENDPOINT_ENV]?.trim();
  if (fromEnv) return apiRoot(safeEndpoint(fromEnv, ENDPOINT_ENV), ENDPOINT_ENV);
  switch (options.site ?? "default") {
    case "default":
      return new URL("https://cynosdb.tencentcloudapi.com/");
    case "intl":
      return new URL("https://cynosdb.intl.tencentcloudapi.com/");
    case "regional":
      return new URL(`https://cynosdb.${options.region}.tencentcloudapi.com/`);
    default:
      throw new ConfigurationError("site", `${JSON.stringify(options.site)} is not a site; use "default", "intl" or "regional".`);
  }
}

/** API 3.0 is always POST / (the signature's CanonicalURI is "/"), so a path or query would never verify. */
function apiRoot(url: URL, field: string): URL {
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new ConfigurationError(field, `"${url.href}" has a path or query; give only the scheme, host and port, e.g. https://cynosdb.tencentcloudapi.com.`);
  }
  return url;
}

const MISSING_CREDENTIALS =
  "no Tencent Cloud credentials. Either set stack config tencentcloud:secretId and tencentcloud:secretKey " +
  "(pulumi config set tencentcloud:secretId AKID...; pulumi config set --secret tencentcloud:secretKey ...), " +
  "or set the environment variables TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY " +
  "(plus TENCENTCLOUD_SESSION_TOKEN for temporary keys).";

/**
 * Explicit credentials win as a whole (an explicit SecretId is never paired with a key from the
 * environment); otherwise TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _SESSION_TOKEN (or _SECURITY_TOKEN,
 * the Terraform provider's name). The key and token are registered for redaction.
 */
export function resolveCredentials(explicit: Partial<TencentCredentials> | undefined, env: NodeJS.ProcessEnv): TencentCredentials {
  const clean = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  const useExplicit = Boolean(clean(explicit?.secretId) || clean(explicit?.secretKey));
  const secretId = useExplicit ? clean(explicit?.secretId) : clean(env.TENCENTCLOUD_SECRET_ID);
  const secretKey = useExplicit ? clean(explicit?.secretKey) : clean(env.TENCENTCLOUD_SECRET_KEY);
  const token = useExplicit ? clean(explicit?.token) : clean(env.TENCENTCLOUD_SESSION_TOKEN) ?? clean(env.TENCENTCLOUD_SECURITY_TOKEN);
  registerSecret(secretKey);
  registerSecret(token);
  if (!secretId && !secretKey) throw new ConfigurationError("tencentcloud:secretId", MISSING_CREDENTIALS);
  if (!secretId) throw new ConfigurationError("tencentcloud:secretId", `SecretId is missing while SecretKey is set: ${MISSING_CREDENTIALS}`);
  if (!secretKey) throw new ConfigurationError("tencentcloud:secretKey", `SecretKey is missing while SecretId is set: ${MISSING_CREDENTIALS}`);
  checkCredentialText("tencentcloud:secretId", "SecretId", secretId);
  checkCredentialText("tencentcloud:secretKey", "SecretKey", secretKey);
  if (token) checkCredentialText("tencentcloud:securityToken", "session token", token);
  return token ? { secretId, secretKey, token } : { secretId, secretKey };
}

/**
 * A credential with a space, a zero-width or other non-ASCII character (a copy-paste accident),
 * or wrapped in literal quotes, can never sign a valid request; sent as a header it would fail as
 * a "network error" retried five times. Say so before any call, without echoing the value.
 */
function checkCredentialText(field: string, what: string, value: string): void {
  if (/^(["']).*\1$/.test(value)) {
    throw new ConfigurationError(field, `the ${what} is wrapped in quote characters; set the value without them (the shell or the config file kept the quotes).`);
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new ConfigurationError(field, `the ${what} contains spaces, invisible or non-ASCII characters; copy it again from the Tencent Cloud console (API keys page).`);
  }
}
