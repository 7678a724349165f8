import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EPOCH_ISO,
  ScheduleError,
  cronLines,
  overrideDecision,
  powerSchedule,
  resolveWallTime,
  zoneOffsetMinutes,
  type OverrideFacts,
  type PowerSchedule,
  type PowerScheduleSpec,
} from "../src/core/schedule";

const d = (iso: string) => new Date(iso);
const fmt = (s: PowerSchedule, from: string, to: string) =>
  s.edges(d(from), d(to)).map((e) => `${e.at.toISOString().slice(0, 16)} ${e.powerState}`);
const utc = (running: string[], extra: Partial<PowerScheduleSpec> = {}) => powerSchedule({ timezone: "UTC", running, ...extra });

/** The ScheduleError thrown for `spec`, as [field, message]. */
function failure(spec: unknown): [string, string] {
  try {
    powerSchedule(spec as PowerScheduleSpec);
  } catch (e) {
    expect(e).toBeInstanceOf(ScheduleError);
    const err = e as ScheduleError;
    expect(err.code).toBe("ConfigurationError");
    expect(err.name).toBe("ScheduleError");
    expect(err.message.startsWith(`${err.field}: `)).toBe(true);
    return [err.field, err.message];
  }
  throw new Error("expected a ScheduleError");
}

// 2026-03-02 is a Monday.
describe("parsing and validation", () => {
  it("accepts days, ranges, wrapping ranges, lists and mixed lists, case-insensitively", () => {
    const days = (w: string) =>
      utc([w])
        .edges(d("2026-03-01T23:00Z"), d("2026-03-08T23:00Z"))
        .filter((e) => e.powerState === "running")
        .map((e) => e.at.getUTCDay());
    expect(days("Mon 10:00-11:00")).toEqual([1]);
    expect(days("Mon-Fri 10:00-11:00")).toEqual([1, 2, 3, 4, 5]);
    expect(days("Fri-Mon 10:00-11:00")).toEqual([1, 5, 6, 0]);
    expect(days("Mon,Wed,Fri 10:00-11:00")).toEqual([1, 3, 5]);
    expect(days("Mon-Wed,Fri 10:00-11:00")).toEqual([1, 2, 3, 5]);
    expect(days("sun,SAT 10:00-11:00")).toEqual([6, 0]);
    expect(days("  Tue   10:00-11:00 ")).toEqual([2]);
  });

  it("fills defaults and freezes the spec", () => {
    const s = powerSchedule({ timezone: "Europe/Berlin", running: ["Mon 08:00-09:00"] });
    expect(s.spec).toEqual({ timezone: "Europe/Berlin", running: ["Mon 08:00-09:00"], skipDates: [], overrides: "enforce" });
    expect(Object.isFrozen(s.spec)).toBe(true);
    expect(Object.isFrozen(s.spec.running)).toBe(true);
    const p = powerSchedule({ timezone: "UTC", running: ["Mon 08:00-09:00"], overrides: "pause-only" });
    expect(p.at(d("2026-03-02T08:30Z")).overrides).toBe("pause-only");
  });

  it("rejects bad windows naming the field and the fix", () => {
    const run = (...running: unknown[]) => failure({ timezone: "UTC", running });
    expect(run("Mon-Fri 08:00-20:00", "Mon-Fri 8-20")).toEqual([
      "running[1]",
      'running[1]: "Mon-Fri 8-20" is not HH:MM-HH:MM; write e.g. "Mon-Fri 08:00-20:00"',
    ]);
    expect(run("Sat 9:30-17")[1]).toBe('running[0]: "Sat 9:30-17" is not HH:MM-HH:MM; write e.g. "Sat 09:30-17:00"');
    expect(run("Mon 08.00-20.00")[1]).toContain('write e.g. "Mon 08:00-20:00"');
    expect(run("Mon-Fri08:00-20:00")[1]).toContain('is not "DAYS HH:MM-HH:MM"; write e.g. "Mon-Fri 08:00-20:00"');
    expect(run("08:00-20:00")[1]).toContain('is not "DAYS HH:MM-HH:MM"');
    expect(run("Mo 08:00-20:00")[1]).toBe(
      'running[0]: "Mo 08:00-20:00": "Mo" is not a day; use Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range like Mon-Fri or a list like Mon,Wed,Fri',
    );
    expect(run("Mon,,Fri 08:00-20:00")[1]).toContain('"" is not a day');
    expect(run("Mon-Fri-Sat 08:00-20:00")[1]).toContain('"Mon-Fri-Sat" is not a day');
    expect(run("Monday 08:00-20:00")[1]).toContain('"Monday" is not a day');
    expect(run("Mon 24:00-06:00")[1]).toContain("24:00 can only end a window");
    expect(run("Mon 25:00-26:00")[1]).toContain("25:00 is not a time of day");
    expect(run("Mon 08:00-24:30")[1]).toContain("24:30 is not a time of day (00:00..23:59, or 24:00 as an end)");
    expect(run("Mon 08:60-09:00")[1]).toContain("08:60 is not a time of day");
    expect(run(42)).toEqual(["running[0]", 'running[0]: 42 is not valid; expected a window like "Mon-Fri 08:00-20:00"']);
  });

  it("rejects a window with equal start and end (ambiguous), pointing to 00:00-24:00", () => {
    for (const w of ["Mon 08:00-08:00", "Mon-Fri 00:00-00:00"]) {
      const [field, message] = failure({ timezone: "UTC", running: [w] });
      expect(field).toBe("running[0]");
      expect(message).toContain("starts and ends at the same time");
      expect(message).toContain(`write "${w.split(" ")[0]} 00:00-24:00" for whole days`);
    }
  });

  it("requires a non-empty running list (always paused is powerState: paused, not a schedule)", () => {
    expect(failure({ timezone: "UTC", running: [] })[1]).toBe(
      'running: list at least one window, e.g. ["Mon-Fri 08:00-20:00"]; to keep clusters paused set powerState "paused" without a schedule',
    );
    expect(failure({ timezone: "UTC" })[1]).toBe('running: required; expected a list of windows like ["Mon-Fri 08:00-20:00"]');
    expect(failure({ timezone: "UTC", running: "Mon-Fri 08:00-20:00" })[1]).toBe(
      'running: "Mon-Fri 08:00-20:00" is not valid; expected a list of windows like ["Mon-Fri 08:00-20:00"]',
    );
  });

  it("rejects time zones that are not IANA names", () => {
    const tz = (timezone: unknown) => failure({ timezone, running: ["Mon 08:00-09:00"] });
    expect(tz("Mars/Base")[1]).toBe('timezone: "Mars/Base" is not an IANA time zone; e.g. "Europe/Berlin", "America/New_York" or "UTC"');
    expect(tz("+01:00")[0]).toBe("timezone");
    expect(tz("")[0]).toBe("timezone");
    expect(tz(undefined)[1]).toBe('timezone: required; expected an IANA time zone name like "Europe/Berlin"');
    expect(tz(60)[1]).toBe('timezone: 60 is not valid; expected an IANA time zone name like "Europe/Berlin"');
    for (const ok of ["UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Etc/GMT+5"]) {
      expect(() => powerSchedule({ timezone: ok, running: ["Mon 08:00-09:00"] })).not.toThrow();
    }
  });

  it("rejects bad skip dates: format, impossible dates, reversed ranges", () => {
    const skip = (...skipDates: unknown[]) => failure({ timezone: "UTC", running: ["Mon 08:00-09:00"], skipDates });
    expect(skip("2026-12-24", "24.12.2026")[1]).toBe(
      'skipDates[1]: "24.12.2026" is not a date; write "YYYY-MM-DD" (e.g. "2026-12-24") or an inclusive range "YYYY-MM-DD..YYYY-MM-DD" (e.g. "2026-12-24..2027-01-01")',
    );
    expect(skip("2026-02-30")[1]).toMatch(/^skipDates\[0\]: "2026-02-30" is not a real calendar date; write "YYYY-MM-DD"/);
    expect(skip("2026-02-29")[1]).toContain("is not a real calendar date");
    expect(skip("2026-13-01")[1]).toContain("is not a real calendar date");
    expect(skip("2026-01-01..2026-04-31")[1]).toContain('"2026-04-31" is not a real calendar date');
    expect(skip("2026-12-31..2026-12-24")[1]).toBe(
      'skipDates[0]: range "2026-12-31..2026-12-24" ends before it starts; write "2026-12-24..2026-12-31"',
    );
    expect(skip("2026-12-24..2026-12-25..2026-12-26")[0]).toBe("skipDates[0]");
    expect(skip(20261224)[1]).toContain("skipDates[0]: 20261224 is not valid");
    expect(() => powerSchedule({ timezone: "UTC", running: ["Mon 08:00-09:00"], skipDates: ["2028-02-29", "2026-12-24..2026-12-24"] })).not.toThrow();
  });

  it("rejects unknown keys naming the key, bad overrides and non-objects", () => {
    expect(failure({ timeZone: "UTC", timezone: "UTC", running: ["Mon 08:00-09:00"] })).toEqual([
      "timeZone",
      'timeZone: unknown key; did you mean "timezone"? a schedule takes timezone, running, skipDates, overrides',
    ]);
    expect(failure({ timezone: "UTC", running: ["Mon 08:00-09:00"], foo: 1, bar: 2 })[1]).toBe(
      'foo: unknown key (also "bar"); a schedule takes timezone, running, skipDates, overrides',
    );
    expect(failure({ timezone: "UTC", running: ["Mon 08:00-09:00"], overrides: "sometimes" })[1]).toBe(
      'overrides: "sometimes" is not valid; expected one of "enforce", "until-next-edge", "pause-only"',
    );
    expect(failure(null)[0]).toBe("schedule");
    expect(failure("Mon-Fri 08:00-20:00")[1]).toContain("expected an object like");
  });

  it("names no cloud in the module", () => {
    const text = readFileSync(join(__dirname, "../src/core/schedule.ts"), "utf8");
    expect(text).not.toMatch(/tencent|zilliz|cynosdb/i);
  });
});

describe("windows: merging, midnight and 24:00", () => {
  it("touching and overlapping windows merge: edges only where the state changes", () => {
    expect(fmt(utc(["Mon 08:00-12:00", "Mon 12:00-20:00"]), "2026-03-02T00:00Z", "2026-03-03T00:00Z")).toEqual([
      "2026-03-02T08:00 running",
      "2026-03-02T20:00 paused",
    ]);
    expect(fmt(utc(["Mon 08:00-13:00", "Mon 12:00-20:00", "Mon 09:00-10:00"]), "2026-03-02T00:00Z", "2026-03-03T00:00Z")).toEqual([
      "2026-03-02T08:00 running",
      "2026-03-02T20:00 paused",
    ]);
    expect(fmt(utc(["Sun 22:00-24:00", "Mon 00:00-06:00"]), "2026-03-01T00:00Z", "2026-03-03T00:00Z")).toEqual([
      "2026-03-01T22:00 running",
      "2026-03-02T06:00 paused",
    ]);
    expect(fmt(utc(["Mon 12:00-14:00", "Mon 15:00-16:00"]), "2026-03-02T00:00Z", "2026-03-03T00:00Z")).toHaveLength(4);
  });

  it("a window whose end is before its start runs past midnight and belongs to its start day", () => {
    expect(fmt(utc(["Fri 22:00-06:00"]), "2026-03-05T00:00Z", "2026-03-09T00:00Z")).toEqual([
      "2026-03-06T22:00 running",
      "2026-03-07T06:00 paused",
    ]);
    // Sunday's window runs into Monday across the week boundary.
    expect(fmt(utc(["Sun 22:00-06:00"]), "2026-03-01T00:00Z", "2026-03-03T00:00Z")).toEqual([
      "2026-03-01T22:00 running",
      "2026-03-02T06:00 paused",
    ]);
    // Mon-Fri night shifts chain into one edge pair per night, no midnight edges.
    expect(fmt(utc(["Mon-Fri 20:00-08:00"]), "2026-03-02T00:00Z", "2026-03-04T00:00Z")).toEqual([
      "2026-03-02T20:00 running",
      "2026-03-03T08:00 paused",
      "2026-03-03T20:00 running",
    ]);
  });

  it("00:00-24:00 is a whole day; consecutive whole days are one run", () => {
    expect(fmt(utc(["Wed 00:00-24:00"]), "2026-03-01T00:00Z", "2026-03-08T00:00Z")).toEqual([
      "2026-03-04T00:00 running",
      "2026-03-05T00:00 paused",
    ]);
    expect(fmt(utc(["Mon-Fri 00:00-24:00"]), "2026-03-01T00:00Z", "2026-03-08T00:00Z")).toEqual([
      "2026-03-02T00:00 running",
      "2026-03-07T00:00 paused",
    ]);
    expect(fmt(utc(["Sat 18:00-24:00"]), "2026-03-01T00:00Z", "2026-03-08T00:00Z")).toEqual([
      "2026-03-07T18:00 running",
      "2026-03-08T00:00 paused",
    ]);
  });
});

describe("skipDates", () => {
  it("keeps skipped local dates paused; a window from the day before ends at the skipped midnight", () => {
    const s = powerSchedule({ timezone: "Europe/Berlin", running: ["Mon-Sun 20:00-08:00"], skipDates: ["2026-06-10"] });
    expect(fmt(s, "2026-06-08T12:00Z", "2026-06-12T12:00Z")).toEqual([
      "2026-06-08T18:00 running",
      "2026-06-09T06:00 paused",
      "2026-06-09T18:00 running",
      "2026-06-09T22:00 paused", // Wed 2026-06-10 00:00 CEST
      "2026-06-10T22:00 running", // Wed's own night window begins at Thursday's midnight
      "2026-06-11T06:00 paused",
      "2026-06-11T18:00 running",
      "2026-06-12T06:00 paused",
    ]);
    expect(s.at(d("2026-06-10T12:00Z"))).toEqual({ powerState: "paused", scheduledAt: "2026-06-09T22:00:00.000Z", overrides: "enforce" });
  });

  it("skips inclusive ranges and merges overlapping ones", () => {
    const s = utc(["Mon-Fri 08:00-20:00"], { skipDates: ["2026-12-24..2026-12-28", "2026-12-28..2026-12-31", "2027-01-01"] });
    expect(fmt(s, "2026-12-22T00:00Z", "2027-01-06T00:00Z")).toEqual([
      "2026-12-22T08:00 running",
      "2026-12-22T20:00 paused",
      "2026-12-23T08:00 running",
      "2026-12-23T20:00 paused",
      "2027-01-04T08:00 running",
      "2027-01-04T20:00 paused",
      "2027-01-05T08:00 running",
      "2027-01-05T20:00 paused",
    ]);
    expect(s.at(d("2027-01-01T12:00Z")).scheduledAt).toBe("2026-12-23T20:00:00.000Z");
    expect(s.next(d("2026-12-23T20:00Z"))?.at.toISOString()).toBe("2027-01-04T08:00:00.000Z");
  });

  it("an always-running schedule changes only at skipped dates; scheduledAt finds them however far back", () => {
    const s = utc(["Mon-Sun 00:00-24:00"], { skipDates: ["2026-12-25"] });
    expect(fmt(s, "2026-01-01T00:00Z", "2028-01-01T00:00Z")).toEqual(["2026-12-25T00:00 paused", "2026-12-26T00:00 running"]);
    expect(s.at(d("2026-06-01T00:00Z"))).toEqual({ powerState: "running", scheduledAt: EPOCH_ISO, overrides: "enforce" });
    expect(s.at(d("2026-12-25T13:00Z")).scheduledAt).toBe("2026-12-25T00:00:00.000Z");
    expect(s.at(d("2029-06-01T00:00Z"))).toEqual({ powerState: "running", scheduledAt: "2026-12-26T00:00:00.000Z", overrides: "enforce" });
    expect(s.next(d("2026-06-01T00:00Z"))?.at.toISOString()).toBe("2026-12-25T00:00:00.000Z");
    expect(s.next(d("2026-12-26T00:00Z"))).toBeUndefined();
    expect(s.next(d("2025-06-01T00:00Z"))).toBeUndefined(); // more than 400 days ahead
  });

  it("a long skipped range: at() looks back past it, next() stops at 400 days", () => {
    const s = utc(["Mon-Fri 08:00-20:00"], { skipDates: ["2026-01-01..2027-12-31"] });
    expect(s.at(d("2027-06-01T12:00Z"))).toEqual({ powerState: "paused", scheduledAt: "2025-12-31T20:00:00.000Z", overrides: "enforce" });
    expect(s.next(d("2026-02-01T00:00Z"))).toBeUndefined();
    expect(s.next(d("2027-06-01T00:00Z"))).toEqual({ at: d("2028-01-03T08:00Z"), powerState: "running" });
  });
});

describe("at, next and edges", () => {
  const s = powerSchedule({ timezone: "Europe/Berlin", running: ["Mon-Fri 08:00-20:00"], overrides: "until-next-edge" });

  it("at() gives the state and the edge it began at; an edge instant has the state that begins there", () => {
    expect(s.at(d("2026-06-03T10:00Z"))).toEqual({ powerState: "running", scheduledAt: "2026-06-03T06:00:00.000Z", overrides: "until-next-edge" });
    expect(s.at(d("2026-06-03T06:00Z")).powerState).toBe("running");
    expect(s.at(d("2026-06-03T05:59:59.999Z"))).toMatchObject({ powerState: "paused", scheduledAt: "2026-06-02T18:00:00.000Z" });
    // Weekend: the state began on Friday evening.
    expect(s.at(d("2026-06-07T12:00Z"))).toMatchObject({ powerState: "paused", scheduledAt: "2026-06-05T18:00:00.000Z" });
  });

  it("next() is strictly after the instant", () => {
    expect(s.next(d("2026-06-03T06:00Z"))).toEqual({ at: d("2026-06-03T18:00Z"), powerState: "paused" });
    expect(s.next(d("2026-06-03T05:59Z"))).toEqual({ at: d("2026-06-03T06:00Z"), powerState: "running" });
    expect(s.next(d("2026-06-05T18:00Z"))).toEqual({ at: d("2026-06-08T06:00Z"), powerState: "running" });
  });

  it("edges(from, to) lists (from, to]: an edge at `from` is excluded, one at `to` included", () => {
    expect(fmt(s, "2026-06-03T06:00Z", "2026-06-03T18:00Z")).toEqual(["2026-06-03T18:00 paused"]);
    expect(fmt(s, "2026-06-03T05:00Z", "2026-06-03T06:00Z")).toEqual(["2026-06-03T06:00 running"]);
    expect(s.edges(d("2026-06-04T00:00Z"), d("2026-06-03T00:00Z"))).toEqual([]);
    expect(s.edges(d("2026-06-03T00:00Z"), d("2026-06-03T00:00Z"))).toEqual([]);
    // Consecutive ranges list each edge once, and agree with next() and at().
    const whole = s.edges(d("2026-01-01T00:00Z"), d("2027-01-01T00:00Z"));
    const parts = [...s.edges(d("2026-01-01T00:00Z"), d("2026-06-03T06:00Z")), ...s.edges(d("2026-06-03T06:00Z"), d("2027-01-01T00:00Z"))];
    expect(parts).toEqual(whole);
    expect(whole).toHaveLength(2 * 261);
    for (let i = 1; i < whole.length; i++) {
      expect(s.next(whole[i - 1]!.at)).toEqual(whole[i]);
      expect(s.at(new Date(whole[i]!.at.getTime() - 1)).scheduledAt).toBe(whole[i - 1]!.at.toISOString());
      expect(whole[i]!.powerState).not.toBe(whole[i - 1]!.powerState);
    }
  });

  it("rejects invalid dates", () => {
    expect(() => s.at(new Date(Number.NaN))).toThrow(ScheduleError);
    expect(() => s.next(new Date("nope"))).toThrow("next: expected a valid Date");
  });

  it("is fast: at() and next() take well under a millisecond on average", () => {
    const fresh = powerSchedule({ timezone: "America/New_York", running: ["Mon-Fri 08:00-20:00", "Sat 10:00-14:00"], skipDates: ["2026-07-03..2026-07-05"] });
    const start = performance.now();
    for (let i = 0; i < 500; i++) {
      const t = new Date(Date.UTC(2026, 0, 1) + i * 17_345_678);
      fresh.at(t);
      fresh.next(t);
    }
    expect((performance.now() - start) / 500).toBeLessThan(2);
  });
});

describe("DST: compatible disambiguation", () => {
  it("resolves gap times forward by the gap and repeated times to the earlier instant", () => {
    const w = (tz: string, iso: string) => {
      const [date, time] = iso.split("T") as [string, string];
      const [year, month, day] = date.split("-").map(Number) as [number, number, number];
      const [hour, minute] = time.split(":").map(Number) as [number, number];
      return resolveWallTime(tz, { year, month, day, hour, minute }).toISOString();
    };
    expect(w("America/New_York", "2026-03-08T02:30")).toBe("2026-03-08T07:30:00.000Z");
    expect(w("America/New_York", "2026-03-08T03:30")).toBe("2026-03-08T07:30:00.000Z");
    expect(w("America/New_York", "2026-03-08T01:59")).toBe("2026-03-08T06:59:00.000Z");
    expect(w("America/New_York", "2026-11-01T01:30")).toBe("2026-11-01T05:30:00.000Z");
    expect(w("America/New_York", "2026-11-01T02:00")).toBe("2026-11-01T07:00:00.000Z");
    expect(w("Europe/Berlin", "2026-03-29T02:30")).toBe("2026-03-29T01:30:00.000Z");
    expect(w("Europe/Berlin", "2026-10-25T02:30")).toBe("2026-10-25T00:30:00.000Z");
    expect(w("Australia/Sydney", "2026-10-04T02:30")).toBe("2026-10-03T16:30:00.000Z");
    expect(w("Australia/Sydney", "2026-04-05T02:30")).toBe("2026-04-04T15:30:00.000Z");
    expect(w("Australia/Adelaide", "2026-10-04T02:15")).toBe("2026-10-03T16:45:00.000Z"); // 03:15 ACDT (+10:30)
    expect(zoneOffsetMinutes("Asia/Kolkata", d("2026-03-08T07:30Z"))).toBe(330);
    expect(zoneOffsetMinutes("America/New_York", d("2026-03-08T06:59Z"))).toBe(-300);
    expect(zoneOffsetMinutes("America/New_York", d("2026-03-08T07:00Z"))).toBe(-240);
  });

  it("windows are local wall time: a weekday window moves by an hour in UTC across DST", () => {
    const s = powerSchedule({ timezone: "America/New_York", running: ["Mon-Fri 08:00-20:00"] });
    expect(fmt(s, "2026-03-06T00:00Z", "2026-03-10T00:00Z")).toEqual([
      "2026-03-06T01:00 paused",
      "2026-03-06T13:00 running",
      "2026-03-07T01:00 paused",
      "2026-03-09T12:00 running",
      "2026-03-10T00:00 paused",
    ]);
  });

  it("window ends in a spring-forward gap or a repeated hour follow the rule", () => {
    const ny = (running: string[]) => powerSchedule({ timezone: "America/New_York", running });
    // Starts at 02:30 in the gap: 03:30 EDT. Ends at 02:30 in the gap: 03:30 EDT.
    expect(fmt(ny(["Sun 02:30-05:00"]), "2026-03-08T00:00Z", "2026-03-09T00:00Z")).toEqual(["2026-03-08T07:30 running", "2026-03-08T09:00 paused"]);
    expect(fmt(ny(["Sat 23:00-02:30"]), "2026-03-07T12:00Z", "2026-03-09T00:00Z")).toEqual(["2026-03-08T04:00 running", "2026-03-08T07:30 paused"]);
    // 02:30-03:15 resolves to 03:30 EDT .. 03:15 EDT: empty that day, so no edges at all.
    expect(fmt(ny(["Sun 02:30-03:15"]), "2026-03-08T00:00Z", "2026-03-09T00:00Z")).toEqual([]);
    expect(fmt(ny(["Sun 02:30-03:15"]), "2026-03-15T00:00Z", "2026-03-16T00:00Z")).toEqual(["2026-03-15T06:30 running", "2026-03-15T07:15 paused"]);
    // A repeated 01:30 is the earlier one (EDT), so 01:30-03:00 lasts 2.5 hours that night.
    expect(fmt(ny(["Sun 01:30-03:00"]), "2026-11-01T00:00Z", "2026-11-02T00:00Z")).toEqual(["2026-11-01T05:30 running", "2026-11-01T08:00 paused"]);
    expect(fmt(ny(["Sat 22:00-01:30"]), "2026-10-31T12:00Z", "2026-11-02T00:00Z")).toEqual(["2026-11-01T02:00 running", "2026-11-01T05:30 paused"]);
    // Windows touching inside the gap still merge (both ends resolve to the same instant).
    expect(fmt(ny(["Sun 00:00-02:30", "Sun 02:30-06:00"]), "2026-03-08T00:00Z", "2026-03-09T00:00Z")).toEqual(["2026-03-08T05:00 running", "2026-03-08T10:00 paused"]);
    // Separate in wall time but touching once resolved (02:30 in the gap is 03:30 EDT): no edge.
    expect(fmt(ny(["Sun 00:00-02:30", "Sun 03:30-06:00"]), "2026-03-08T00:00Z", "2026-03-09T00:00Z")).toEqual(["2026-03-08T05:00 running", "2026-03-08T10:00 paused"]);
    // ... and overlapping once resolved: no pause either (the paused wall time 02:30-03:00 does not exist).
    expect(fmt(ny(["Sun 00:00-02:30", "Sun 03:00-06:00"]), "2026-03-08T00:00Z", "2026-03-09T00:00Z")).toEqual(["2026-03-08T05:00 running", "2026-03-08T10:00 paused"]);
    // Overlapping in wall time: merged first, so no pause appears inside the gap.
    expect(fmt(ny(["Sun 00:00-03:15", "Sun 02:30-06:00"]), "2026-03-08T00:00Z", "2026-03-09T00:00Z")).toEqual(["2026-03-08T05:00 running", "2026-03-08T10:00 paused"]);
  });

  it("a skipped date's midnight is local midnight on DST days too", () => {
    const s = powerSchedule({ timezone: "America/New_York", running: ["Mon-Sun 00:00-24:00"], skipDates: ["2026-03-08", "2026-11-01"] });
    expect(fmt(s, "2026-01-01T00:00Z", "2027-01-01T00:00Z")).toEqual([
      "2026-03-08T05:00 paused",
      "2026-03-09T04:00 running",
      "2026-11-01T04:00 paused",
      "2026-11-02T05:00 running",
    ]);
  });
});

// --- cron -------------------------------------------------------------------------------------

/** An independent 5-field cron matcher (UTC), with the standard dom/dow OR rule. */
function cronMatcher(line: string): (t: Date) => boolean {
  const fields = line.trim().split(/\s+/);
  expect(fields).toHaveLength(5);
  const [mi, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const set = (field: string, lo: number, hi: number): Set<number> => {
    const out = new Set<number>();
    for (const part of field.split(",")) {
      const [range, stepText] = part.split("/") as [string, string | undefined];
      const step = stepText ? Number(stepText) : 1;
      let [a, b] = range === "*" ? [lo, hi] : (range.split("-").map(Number) as [number, number | undefined]);
      b ??= a;
      expect(Number.isInteger(a) && Number.isInteger(b) && a >= lo && b <= hi && a <= b, line).toBe(true);
      for (let v = a; v <= b; v += step) out.add(v === 7 && hi === 7 ? 0 : v);
    }
    return out;
  };
  const [mins, hours, doms, mons, dows] = [set(mi, 0, 59), set(h, 0, 23), set(dom, 1, 31), set(mon, 1, 12), set(dow, 0, 7)];
  const either = dom !== "*" && dow !== "*";
  return (t) => {
    if (t.getUTCSeconds() !== 0 || t.getUTCMilliseconds() !== 0) return false;
    if (!mins.has(t.getUTCMinutes()) || !hours.has(t.getUTCHours()) || !mons.has(t.getUTCMonth() + 1)) return false;
    const okDom = doms.has(t.getUTCDate());
    const okDow = dows.has(t.getUTCDay());
    return either ? okDom || okDow : okDom && okDow;
  };
}

/** All instants in (from, to] at which any of the lines fires, checked minute by minute. */
function firings(lines: string[], from: Date, to: Date): number[] {
  const matchers = lines.map(cronMatcher);
  const out: number[] = [];
  for (let t = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000; t <= to.getTime(); t += 60_000) {
    const at = new Date(t);
    if (matchers.some((m) => m(at))) out.push(t);
  }
  return out;
}

describe("cronLines", () => {
  it("gives weekly lines for a zone without DST, joining hours", () => {
    const s = powerSchedule({ timezone: "Asia/Kolkata", running: ["Mon-Fri 08:00-20:00", "Sat 10:00-14:00"] });
    const { lines, note } = cronLines(s, d("2026-05-20T10:00Z"));
    expect(lines).toEqual(["30 2,14 * * 1-5", "30 4,8 * * 6"]);
    expect(note).toContain("stays at UTC+05:30");
    expect(note).toContain("fire exactly at the");
  });

  it("weekly lines also fire on skipped dates, and the note counts those firings", () => {
    const s = utc(["Mon-Fri 08:00-20:00"], { skipDates: ["2026-08-14"] });
    const from = d("2026-08-01T00:00Z");
    const { lines, note } = cronLines(s, from, 1);
    expect(lines).toEqual(["0 8,20 * * 1-5"]);
    const to = d("2026-09-01T00:00Z");
    const edges = new Set(s.edges(from, to).map((e) => e.at.getTime()));
    const extra = firings(lines, from, to).filter((t) => !edges.has(t));
    expect(extra.map((t) => new Date(t).toISOString())).toEqual(["2026-08-14T08:00:00.000Z", "2026-08-14T20:00:00.000Z"]);
    expect(note).toContain("and at 2 other instants");
    expect(note).toContain("stays at UTC+00:00");
  });

  it("a night window cut by a skipped date adds midnight edges, and lines for them", () => {
    const s = utc(["Mon-Fri 22:00-06:00"], { skipDates: ["2026-08-14"] });
    const from = d("2026-08-01T00:00Z");
    const to = d("2026-09-01T00:00Z");
    // Thursday's night ends at Friday's midnight; Friday's night starts at Saturday's midnight.
    expect(fmt(s, "2026-08-13T12:00Z", "2026-08-15T12:00Z")).toEqual(["2026-08-13T22:00 running", "2026-08-14T00:00 paused", "2026-08-15T00:00 running", "2026-08-15T06:00 paused"]);
    const { lines, note } = cronLines(s, from, 1);
    expect(lines).toEqual(["0 0 * * 5,6", "0 6 * * 2-6", "0 22 * * 1-5"]);
    const edges = new Set(s.edges(from, to).map((e) => e.at.getTime()));
    const fired = firings(lines, from, to);
    for (const e of edges) expect(fired).toContain(e);
    const extra = fired.filter((t) => !edges.has(t)).length;
    expect(extra).toBe(8 + 2 - 2); // 00:00 on the other 4 Fridays and 4 Saturdays of August, 06:00 and 22:00 on the 14th
    expect(note).toContain(`and at ${extra} other instants`);
  });

  const cases: Array<[string, PowerScheduleSpec, string]> = [
    ["New York office hours", { timezone: "America/New_York", running: ["Mon-Fri 08:00-20:00"] }, "2026-01-01T00:00Z"],
    ["Berlin nights and weekend, skipped dates", { timezone: "Europe/Berlin", running: ["Mon-Fri 18:00-07:30", "Sat-Sun 00:00-24:00"], skipDates: ["2026-12-24..2026-12-26", "2026-04-03"] }, "2026-01-01T00:00Z"],
    ["Sydney, from mid-month", { timezone: "Australia/Sydney", running: ["Mon-Fri 07:00-19:00", "Sat 09:00-13:00"] }, "2026-03-17T05:13Z"],
    ["Adelaide, gap times", { timezone: "Australia/Adelaide", running: ["Sun 02:30-04:00", "Wed 01:30-03:00"] }, "2026-02-10T00:00Z"],
    ["New York, from mid-March", { timezone: "America/New_York", running: ["Mon-Fri 08:00-20:00"] }, "2026-03-15T12:00Z"],
  ];

  it.each(cases)("fires at every edge: %s", (_name, spec, fromIso) => {
    const s = powerSchedule(spec);
    const from = d(fromIso);
    const { lines, note } = cronLines(s, from);
    const to = new Date(from);
    to.setUTCFullYear(to.getUTCFullYear() + 1);
    const edges = s.edges(from, to).map((e) => e.at.getTime());
    expect(edges.length).toBeGreaterThan(50);
    const fired = new Set(firings(lines, from, to));
    for (const e of edges) expect(fired.has(e), new Date(e).toISOString()).toBe(true);
    const edgeSet = new Set(edges);
    const extra = [...fired].filter((t) => !edgeSet.has(t)).length;
    expect(note).toContain(extra === 0 ? `fire exactly at the ${edges.length} edges` : `and at ${extra} other instants`);
    expect(note).toContain("regenerate");
    expect(extra).toBe(0); // DST zones, 12 months: exact
  });

  it("a period longer than 12 months may fire extra; the note counts exactly how often", () => {
    const s = powerSchedule({ timezone: "Europe/Berlin", running: ["Mon-Fri 08:00-20:00"] });
    const from = d("2026-01-01T00:00Z");
    const { lines, note } = cronLines(s, from, 15);
    const to = d("2027-04-01T00:00Z");
    const edges = new Set(s.edges(from, to).map((e) => e.at.getTime()));
    const fired = firings(lines, from, to);
    for (const e of edges) expect(fired).toContain(e);
    const extra = fired.filter((t) => !edges.has(t)).length;
    expect(extra).toBeGreaterThan(0); // March 2026 and March 2027 change offset on different days
    expect(note).toContain(`fire at the ${edges.size} edges of the period and at ${extra} other instants`);
  });

  it("handles periods without edges and validates months", () => {
    expect(cronLines(utc(["Mon-Sun 00:00-24:00"]), d("2026-01-01T00:00Z"))).toEqual({ lines: [], note: "no edges in 2026-01-01T00:00:00.000Z..2027-01-01T00:00:00.000Z" });
    expect(() => cronLines(utc(["Mon 08:00-09:00"]), d("2026-01-01T00:00Z"), 0)).toThrow("months: expected a whole number");
    expect(cronLines(utc(["Mon 08:00-09:00"]), d("2026-01-31T00:00Z"), 1).note).toContain("2026-01-31T00:00:00.000Z..2026-02-28T00:00:00.000Z");
  });
});

// --- override decision ------------------------------------------------------------------------

describe("overrideDecision", () => {
  const E1 = "2026-11-29T12:00:00.000Z";
  const E0 = "2026-11-28T12:00:00.000Z";
  const base: OverrideFacts = { rule: "enforce", desired: "paused", scheduledAt: E1, actedFor: E1, satisfied: true, creating: false };
  const table: Array<[string, Partial<OverrideFacts>, boolean, RegExp]> = [
    ["enforce, satisfied", {}, false, /^enforce: cluster already paused$/],
    ["enforce, not satisfied (even if acted for this edge)", { satisfied: false }, true, /^enforce: bringing cluster to paused$/],
    ["enforce, create, not satisfied", { creating: true, satisfied: false, actedFor: undefined }, true, /^enforce:/],
    ["enforce, create, satisfied", { creating: true, actedFor: undefined }, false, /^enforce:/],
    ["until-next-edge, create, satisfied: acts", { rule: "until-next-edge", creating: true, actedFor: undefined }, true, /created, bringing cluster to paused for edge/],
    ["until-next-edge, create, not satisfied", { rule: "until-next-edge", creating: true, satisfied: false, actedFor: undefined }, true, /^until-next-edge: created/],
    ["until-next-edge, satisfied", { rule: "until-next-edge" }, false, /^until-next-edge: cluster already paused$/],
    ["until-next-edge, satisfied, new edge", { rule: "until-next-edge", actedFor: E0 }, false, /already paused/],
    ["until-next-edge, not satisfied, new edge", { rule: "until-next-edge", satisfied: false, actedFor: E0 }, true, new RegExp(`new edge ${E1}`)],
    ["until-next-edge, not satisfied, never acted", { rule: "until-next-edge", satisfied: false, actedFor: undefined }, true, /new edge/],
    ["until-next-edge, not satisfied, acted for this edge", { rule: "until-next-edge", satisfied: false }, false, new RegExp(`^until-next-edge: manual override respected until the next edge .*${E1}`)],
    ["until-next-edge, no scheduledAt: like enforce", { rule: "until-next-edge", satisfied: false, scheduledAt: undefined, actedFor: undefined }, true, /no scheduledAt/],
    ["pause-only, paused, create", { rule: "pause-only", creating: true, actedFor: undefined }, true, /^pause-only: created/],
    ["pause-only, paused, not satisfied, new edge", { rule: "pause-only", satisfied: false, actedFor: E0 }, true, /^pause-only: new edge/],
    ["pause-only, paused, not satisfied, acted", { rule: "pause-only", satisfied: false }, false, /manual override respected until the next edge/],
    ["pause-only, paused, satisfied", { rule: "pause-only" }, false, /already paused/],
    ["pause-only, running, create", { rule: "pause-only", desired: "running", creating: true, satisfied: false, actedFor: undefined }, false, /never resumes/],
    ["pause-only, running, not satisfied, new edge", { rule: "pause-only", desired: "running", satisfied: false, actedFor: E0 }, false, /never resumes/],
    ["pause-only, running, satisfied", { rule: "pause-only", desired: "running" }, false, /never resumes/],
    ["enforce, running, not satisfied", { desired: "running", satisfied: false }, true, /bringing cluster to running/],
    ["until-next-edge, running, not satisfied, new edge", { rule: "until-next-edge", desired: "running", satisfied: false, actedFor: E0 }, true, /bringing cluster to running/],
  ];
  it.each(table)("%s", (_name, facts, act, reason) => {
    const out = overrideDecision({ ...base, ...facts });
    expect(out.act).toBe(act);
    expect(out.rule).toMatch(reason);
  });
});
