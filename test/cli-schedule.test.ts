import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, cleanEnv, runCli } from "./cli-helpers";

/** `cluster-power schedule` as a user runs it: the built CLI, a schedule file, no cloud. */

let dir: string;
const file = (name: string, spec: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof spec === "string" ? spec : JSON.stringify(spec));
  return path;
};
const env = cleanEnv({});

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), "cluster-power-schedule-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cluster-power schedule", () => {
  const office = () => file("office.json", { timezone: "Europe/Berlin", running: ["Mon-Fri 08:00-20:00"], skipDates: ["2026-12-24..2026-12-26"] });

  it("--json: the state at an instant, since when and the next edge, in UTC", async () => {
    const run = await runCli(["schedule", "--file", office(), "--at", "2026-12-23T18:00:00Z", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    // 19:00 in Berlin on Wednesday: running since 08:00 (07:00Z), paused at 20:00, and the
    // skipped 24th-26th push the next start to Monday the 28th.
    expect(JSON.parse(run.stdout)).toEqual({ powerState: "running", since: "2026-12-23T07:00:00.000Z", next: "2026-12-23T19:00:00.000Z" });
    const night = await runCli(["schedule", "--file", office(), "--at", "2026-12-23T20:00:00Z", "--json"], env);
    expect(JSON.parse(night.stdout)).toEqual({ powerState: "paused", since: "2026-12-23T19:00:00.000Z", next: "2026-12-28T07:00:00.000Z" });
  });

  it("text output names the state, the edge it began at and the next one", async () => {
    const run = await runCli(["schedule", "--file", office(), "--at", "2026-12-23T20:00:00+01:00"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^paused since 2026-12-23T19:00:00\.000Z; next edge 2026-12-28T07:00:00\.000Z \(Europe\/Berlin/);
  });

  it("--cron prints UTC cron lines with a note for a daylight-saving zone", async () => {
    const run = await runCli(["schedule", "--file", office(), "--at", "2026-11-29T00:00:00Z", "--cron"], env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^\d{1,2} [\d,]+ [\d*,-]+ [\d*,-]+ [\d*,-]+$/);
    // Winter: 08:00 CET is 07:00 UTC; summer: 08:00 CEST is 06:00 UTC. Both must be there.
    expect(lines.some((l) => l.startsWith("0 7 ") || /^0 [\d,]*\b7\b/.test(l))).toBe(true);
    expect(lines.some((l) => /^0 [\d,]*\b6\b/.test(l))).toBe(true);
  });

  it("an invalid file exits 2 naming the field and the fix; --json still prints one document", async () => {
    const bad = file("bad.json", { timezone: "Europe/Berlin", running: ["Mon-Fri 8-20"] });
    const run = await runCli(["schedule", "--file", bad], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/running\[0\]: "Mon-Fri 8-20" is not .*HH:MM-HH:MM; write e\.g\./);
    const json = await runCli(["schedule", "--file", bad, "--json"], env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: "ConfigurationError", message: expect.stringMatching(/running\[0\]/) } });
    const zone = await runCli(["schedule", "--file", file("zone.json", { timezone: "Mars/Base", running: ["Mon 08:00-09:00"] })], env);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/timezone: "Mars\/Base" is not an IANA time zone/);
    const notJson = await runCli(["schedule", "--file", file("x.json", "{nope")], env);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/--file: not valid JSON/);
    const localTime = await runCli(["schedule", "--file", office(), "--at", "2026-12-23 18:00"], env);
    expect(localTime.code).toBe(2);
    expect(localTime.stderr).toMatch(/ISO 8601 instant with a zone/);
  });
});
