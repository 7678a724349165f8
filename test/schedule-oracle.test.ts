/**
 * Oracle tests for src/core/schedule.ts: its time-zone arithmetic and schedule evaluation are
 * checked against an independent implementation built on Temporal (`@js-temporal/polyfill`),
 * whose `ZonedDateTime` with `disambiguation: "compatible"` is the specification the module
 * follows. Both read the same IANA data (the polyfill, too, asks the platform's Intl), so what is
 * checked is the arithmetic: offsets, gap and overlap resolution, merging, skipped dates, edges.
 *
 * Instants and wall times are generated with fast-check around every 2026 and 2027 DST
 * transition of New York, Berlin, Sydney and Adelaide (30-minute offset), and around fixed
 * instants for Shanghai and Kolkata (no DST; Kolkata has a 30-minute offset).
 */
import { Temporal } from "@js-temporal/polyfill";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { powerSchedule, resolveWallTime, zoneOffsetMinutes, type PowerSchedule } from "../src/core/schedule";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DST_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Adelaide"];
const FIXED_ZONES = ["Asia/Shanghai", "Asia/Kolkata"];

interface Anchor {
  zone: string;
  /** Epoch ms of the transition (or fixed instant), a whole minute. */
  at: number;
}

function transitions(zone: string): number[] {
  const out: number[] = [];
  let z = Temporal.ZonedDateTime.from({ timeZone: zone, year: 2026, month: 1, day: 1 });
  for (;;) {
    const next = z.getTimeZoneTransition("next");
    if (!next || next.year > 2027) break;
    out.push(next.epochMilliseconds);
    z = next;
  }
  return out;
}

const FIXED_INSTANTS = ["2026-03-08T07:00Z", "2026-11-01T06:00Z", "2027-03-28T01:00Z", "2027-10-31T16:00Z"].map((s) => Date.parse(s));
const ANCHORS: Anchor[] = [
  ...DST_ZONES.flatMap((zone) => transitions(zone).map((at) => ({ zone, at }))),
  ...FIXED_ZONES.flatMap((zone) => FIXED_INSTANTS.map((at) => ({ zone, at }))),
];

// --- the oracle's own calendar helpers (Temporal only) -----------------------------------------

const EPOCH_DATE = Temporal.PlainDate.from("1970-01-01");
const epochDay = (date: Temporal.PlainDate) => date.since(EPOCH_DATE).days;
const dateOfDay = (day: number) => EPOCH_DATE.add({ days: day });
const localDateOf = (zone: string, ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
/** Instant of the wall time `wallMinute` minutes after 1970-01-01T00:00 local, "compatible". */
const wallInstant = (zone: string, wallMinute: number) =>
  Temporal.PlainDateTime.from("1970-01-01T00:00")
    .add({ minutes: wallMinute })
    .toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;

// --- (a) local <-> UTC -------------------------------------------------------------------------

describe("oracle: time-zone arithmetic vs Temporal", () => {
  it("resolves generated wall times near every transition like Temporal's compatible disambiguation", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ANCHORS), fc.integer({ min: -36 * 60, max: 36 * 60 }), ({ zone, at }, minutes) => {
        const wall = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone).toPlainDateTime().add({ minutes });
        const expected = wall.toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
        const actual = resolveWallTime(zone, { year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute });
        expect(actual.getTime()).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("resolves every 5-minute wall time within 3 hours of every transition", () => {
    let checked = 0;
    for (const { zone, at } of ANCHORS) {
      const local = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone).toPlainDateTime();
      for (let m = -180; m <= 180; m += 5) {
        const wall = local.add({ minutes: m });
        const expected = wall.toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
        expect(resolveWallTime(zone, wall).getTime(), `${zone} ${wall.toString()}`).toBe(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1500);
  });

  it("gives the UTC offset of generated instants like Temporal", () => {
    const anywhere = fc.integer({ min: Date.parse("2026-01-01T00:00Z"), max: Date.parse("2028-01-01T00:00Z") });
    const nearTransition = fc
      .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -2 * DAY, max: 2 * DAY }))
      .map(([{ zone, at }, delta]) => [zone, at + delta] as const);
    fc.assert(
      fc.property(fc.oneof(nearTransition, fc.tuple(fc.constantFrom(...DST_ZONES, ...FIXED_ZONES), anywhere)), ([zone, ms]) => {
        const expected = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).offsetNanoseconds / 60e9;
        expect(zoneOffsetMinutes(zone, new Date(ms))).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

// --- (b), (c) schedules ------------------------------------------------------------------------

const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

interface GenWindow {
  days: number[]; // 0 = Monday
  start: number;
  end: number; // 1..1440
  text: string;
}

const dayItem = fc.oneof(
  fc.integer({ min: 0, max: 6 }).map((a) => ({ days: [a], text: DAY_NAMES[a]! })),
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })).map(([a, b]) => {
    const days = [a];
    for (let d = a; d !== b; ) days.push((d = (d + 1) % 7));
    return { days, text: `${DAY_NAMES[a]}-${DAY_NAMES[b]}` };
  }),
);
const dayList = fc.array(dayItem, { minLength: 1, maxLength: 3 }).map((items) => ({
  days: [...new Set(items.flatMap((i) => i.days))],
  text: items.map((i) => i.text).join(","),
}));
/** Minutes of day, biased to the hours where transitions happen and to quarter hours. */
const minuteOfDay = fc.oneof(
  fc.constantFrom(0, 30, 60, 90, 120, 135, 150, 165, 180, 195, 210, 240, 1380, 1410),
  fc.integer({ min: 0, max: 95 }).map((q) => q * 15),
  fc.integer({ min: 0, max: 1439 }),
);
const genWindow: fc.Arbitrary<GenWindow> = fc
  .tuple(dayList, minuteOfDay, fc.oneof(minuteOfDay, fc.constant(1440)))
  .filter(([, start, end]) => start !== end)
  .map(([days, start, end]) => ({ days: days.days, start, end, text: `${days.text} ${hhmm(start)}-${hhmm(end)}` }));
const genCase = fc.record({
  anchor: fc.constantFrom(...ANCHORS),
  windows: fc.array(genWindow, { minLength: 1, maxLength: 4 }),
  skips: fc.array(fc.tuple(fc.integer({ min: -2, max: 2 }), fc.integer({ min: 0, max: 1 })), { maxLength: 2 }),
  /** Instants into the 60-hour range, in ms. */
  probes: fc.array(fc.integer({ min: 0, max: 60 * HOUR }), { minLength: 8, maxLength: 8 }),
});

/** The local date (epoch day) of every minute of [from, to], computed once per anchor. */
const localDaysMemo = new Map<string, Int32Array>();
function localDaysPerMinute(zone: string, from: number, to: number): Int32Array {
  const key = `${zone} ${from} ${to}`;
  let out = localDaysMemo.get(key);
  if (!out) {
    out = new Int32Array((to - from) / MIN + 1);
    for (let i = 0; i < out.length; i++) out[i] = epochDay(localDateOf(zone, from + i * MIN));
    localDaysMemo.set(key, out);
  }
  return out;
}

/**
 * Brute force: the state of every minute of [from, to]. Windows are marked on a weekly wall-clock
 * grid (merging them), the runs of marked wall minutes are found by walking the absolute wall
 * minutes of the local dates around the range, each run's ends are resolved with Temporal, and a
 * minute runs iff it lies in a resolved run and its local date (Temporal's wall-clock view) is not
 * skipped.
 */
function oracleStates(zone: string, windows: GenWindow[], skipped: Set<number>, from: number, to: number): Uint8Array {
  const week = new Uint8Array(7 * 1440);
  for (const w of windows) {
    const length = w.end > w.start ? w.end - w.start : w.end + 1440 - w.start;
    for (const d of w.days) for (let i = 0; i < length; i++) week[(d * 1440 + w.start + i) % week.length] = 1;
  }
  const firstDay = epochDay(localDateOf(zone, from)) - 2;
  const lastDay = epochDay(localDateOf(zone, to)) + 2;
  const runs: Array<[number, number]> = [];
  let open: number | undefined;
  let prev = false;
  for (let day = firstDay; day <= lastDay; day++) {
    const weekday = dateOfDay(day).dayOfWeek - 1;
    for (let m = 0; m < 1440; m++) {
      const on = week[weekday * 1440 + m] === 1;
      const wall = day * 1440 + m;
      if (on && !prev) open = day === firstDay && m === 0 ? Number.NEGATIVE_INFINITY : wallInstant(zone, wall);
      if (!on && prev) runs.push([open!, wallInstant(zone, wall)]);
      prev = on;
    }
  }
  if (prev) runs.push([open!, Number.POSITIVE_INFINITY]);
  const localDays = localDaysPerMinute(zone, from, to);
  const states = new Uint8Array(localDays.length);
  for (let i = 0; i < states.length; i++) {
    const t = from + i * MIN;
    states[i] = !skipped.has(localDays[i]!) && runs.some(([s, e]) => s <= t && t < e) ? 1 : 0;
  }
  return states;
}

describe("oracle: schedules vs brute force on Temporal's wall clock", () => {
  it("agrees on edges(), at() and next() around every transition", () => {
    let edgesSeen = 0;
    fc.assert(
      fc.property(genCase, ({ anchor, windows, skips, probes }) => {
        const { zone, at } = anchor;
        const from = at - 30 * HOUR;
        const to = at + 30 * HOUR;
        const anchorDate = localDateOf(zone, at);
        const skipDates = skips.map(([offset, length]) => {
          const a = anchorDate.add({ days: offset });
          return length ? `${a.toString()}..${a.add({ days: length }).toString()}` : a.toString();
        });
        const skipped = new Set(skips.flatMap(([offset, length]) => Array.from({ length: length + 1 }, (_, i) => epochDay(anchorDate) + offset + i)));
        const schedule: PowerSchedule = powerSchedule({ timezone: zone, running: windows.map((w) => w.text), skipDates });
        const states = oracleStates(zone, windows, skipped, from, to);

        // (c) edges in (from, to]
        const expected: string[] = [];
        for (let i = 1; i < states.length; i++) {
          if (states[i] !== states[i - 1]) expected.push(`${new Date(from + i * MIN).toISOString()} ${states[i] ? "running" : "paused"}`);
        }
        const actual = schedule.edges(new Date(from), new Date(to)).map((e) => `${e.at.toISOString()} ${e.powerState}`);
        expect(actual).toEqual(expected);
        edgesSeen += expected.length;

        // (b) at() and next() at generated instants (any millisecond) and at and just before every edge
        const edgeMs = expected.map((e) => Date.parse(e.split(" ")[0]!));
        const instants = [
          ...probes.map((p) => from + p),
          ...edgeMs.flatMap((e) => [e, e - 1]),
        ];
        const atFrom = schedule.at(new Date(from));
        for (const t of instants) {
          const i = Math.floor((t - from) / MIN);
          const state = states[i] ? "running" : "paused";
          const got = schedule.at(new Date(t));
          expect(got.powerState, new Date(t).toISOString()).toBe(state);
          const began = edgeMs.filter((e) => e <= t).pop();
          if (began !== undefined) expect(got.scheduledAt).toBe(new Date(began).toISOString());
          else expect(got).toEqual(atFrom); // the state began before the range
          const upcoming = edgeMs.find((e) => e > t);
          const next = schedule.next(new Date(t));
          if (upcoming !== undefined) expect(next).toEqual({ at: new Date(upcoming), powerState: states[(upcoming - from) / MIN] ? "running" : "paused" });
          else if (next) expect(next.at.getTime()).toBeGreaterThan(to);
        }
        if (atFrom.scheduledAt !== "1970-01-01T00:00:00.000Z") {
          expect(Date.parse(atFrom.scheduledAt)).toBeLessThanOrEqual(from);
          expect(atFrom.powerState).toBe(states[0] ? "running" : "paused");
        }
      }),
      { numRuns: 400 },
    );
    expect(edgesSeen).toBeGreaterThan(500);
  });
});
