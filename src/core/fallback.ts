import type { CloudDescriptor } from "./cloud";

/** An absent input's value from the stack config or the environment, and which of them gave it. */
export interface Fallback {
  value: string;
  /** `<cloud>:<key>` or the environment variable's name, for messages. */
  source: string;
}

/** The stack config is not known (a preview whose Configure the engine skipped), so neither is the fallback. */
export const UNKNOWN_FALLBACK = "unknown";

/**
 * Pure: the value that stands in for `input` when the program left it out, per the cloud's config
 * keys (ConfigKey.fallbackFor): stack config `<cloud>:<key>`, then the key's environment variables
 * in order. `config` undefined means the stack config is not known. Blank values count as unset.
 */
export function inputFallback(
  cloud: Pick<CloudDescriptor, "name" | "config">,
  input: string,
  config: Readonly<Record<string, string | undefined>> | undefined,
  env: NodeJS.ProcessEnv,
): Fallback | typeof UNKNOWN_FALLBACK | undefined {
  const key = cloud.config.find((k) => k.fallbackFor === input);
  if (!key) return undefined;
  if (config === undefined) return UNKNOWN_FALLBACK;
  const fromConfig = config[key.key]?.trim();
  if (fromConfig) return { value: fromConfig, source: `${cloud.name}:${key.key}` };
  for (const name of key.env) {
    const fromEnv = env[name]?.trim();
    if (fromEnv) return { value: fromEnv, source: name };
  }
  return undefined;
}

/** For "… is required" messages: how else the value can be given, or "" when it cannot. */
export function fallbackHint(cloud: Pick<CloudDescriptor, "name" | "config">, input: string): string {
  const key = cloud.config.find((k) => k.fallbackFor === input);
  if (!key) return "";
  const env = key.env.length ? `, or ${key.env.join(" / ")} in the environment` : "";
  return ` Set the input, or stack config \`pulumi config set ${cloud.name}:${key.key} …\`${env}.`;
}
