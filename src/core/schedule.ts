/**
 * Off-hours power schedules: pure and I/O-free (no clock, no network, no files).
 *
 * A schedule names the weekly windows in which clusters run, in one IANA time zone; every other
 * instant is paused. `powerSchedule(spec)` validates the spec up front (throwing `ScheduleError`
 * with the field and the fix) and answers `at(instant)` (the state and the edge it began at),
 * `next(instant)` and `edges(from, to)`. `cronLines` turns the edges of the next months into UTC
 * cron lines for a CI scheduler; `overrideDecision` is the pure rule the provider applies when the
 * observed state disagrees with the scheduled one.
 *
 * Semantics, decided here once:
 * - A window is `DAYS HH:MM-HH:MM`. DAYS is `Mon`, a range `Mon-Fri` (ranges may wrap: `Fri-Mon`
 *   is Fri, Sat, Sun, Mon) or a comma list of those (`Mon-Wed,Fri`); day names are matched
 *   case-insensitively. `24:00` may only end a window. A window whose end is before its start runs
 *   past midnight and belongs to its start day (`Fri 22:00-06:00` runs Fri 22:00 to Sat 06:00).
 *   A window whose start equals its end (`08:00-08:00`, `00:00-00:00`) is REJECTED as ambiguous:
 *   write `00:00-24:00` for a whole day, or two windows for 24 hours from a time of day.
 * - `running` must hold at least one window: a schedule that is always paused is spelled
 *   `powerState: "paused"` without a schedule.
 * - Windows are merged in local wall time first (overlapping or touching windows form one run, so
 *   `Mon 08:00-12:00` + `Mon 12:00-20:00`, or `Sun 22:00-24:00` + `Mon 00:00-06:00`, have no edge
 *   between them). Each merged run is then placed on its local date and its two ends are resolved
 *   to instants, and the resulting instant intervals are united once more.
 * - Local wall times are resolved like RFC 5545 and Temporal's `disambiguation: "compatible"`: a
 *   time in a spring-forward gap is moved forward by the gap's length (New York 02:30 on
 *   2026-03-08 is 03:30 EDT = 07:30Z), a repeated fall-back time means its earlier occurrence
 *   (01:30 on 2026-11-01 is 01:30 EDT = 05:30Z). A run both of whose ends fall so that the end is
 *   not after the start (e.g. 02:30-03:15 on a spring-forward day) is empty that day.
 * - `skipDates` subtract whole local days (local midnight to the next local midnight, resolved the
 *   same way): running time on a skipped date is paused, a window that began the day before ends
 *   at the skipped date's midnight, and a window that begins on a skipped date and runs past
 *   midnight starts at the next (unskipped) midnight.
 * - An edge is an instant at which the state changes, and nothing else. The state at an edge is
 *   the state that begins there, so intervals are half-open: running on [start, end).
 *
 * Time zones use the platform's `Intl.DateTimeFormat` (the IANA database the runtime ships),
 * one cached formatter per zone; no dependency.
 */
import { z } from "zod";
import { ConfigurationError } from "./errors";

// ------------------------------------------------------------------------------------------------
// Public types

export type OverrideRule = "enforce" | "until-next-edge" | "pause-only";

export interface PowerScheduleSpec {
  /** IANA time zone name, e.g. "Europe/Berlin". Required. */
  timezone: string;
  /** Windows in which clusters run, e.g. ["Mon-Fri 08:00-20:00"]; all other time is paused. */
  running: string[];
  /** "YYYY-MM-DD" or inclusive "YYYY-MM-DD..YYYY-MM-DD": local dates kept paused all day. */
  skipDates?: string[];
  /** What the provider does about manual changes between edges; default "enforce". */
  overrides?: OverrideRule;
}

export interface ScheduledInputs {
  powerState: "running" | "paused";
  /** ISO string (`toISOString`) of the edge at which the current state began, or EPOCH_ISO if none. */
  scheduledAt: string;
  overrides: OverrideRule;
}

/** The state that BEGINS at `at`. */
export interface ScheduleEdge {
  at: Date;
  powerState: "running" | "paused";
}

export interface PowerSchedule {
  readonly spec: Readonly<Required<PowerScheduleSpec>>;
  /**
   * The state at `instant` and the edge at which it began. The search back is exact (as far as
   * needed: skip-date ranges are jumped over). When the state never changed before `instant`
   * (the windows cover the whole week and no skipped date precedes `instant`), `scheduledAt` is
   * `EPOCH_ISO` ("1970-01-01T00:00:00.000Z"), a stable value.
   */
  at(instant: Date): ScheduledInputs;
  /** The first edge strictly after `instant`; undefined if there is none within NEXT_HORIZON_DAYS days. */
  next(instant: Date): ScheduleEdge | undefined;
  /**
   * The edges in the half-open interval (from, to]: an edge exactly at `from` is excluded, one
   * exactly at `to` included. This matches `next(t)` (first edge after t) and `at(t)` (the last
   * edge at or before t), so edges(a, b) followed by edges(b, c) lists each edge once.
   */
  edges(from: Date, to: Date): ScheduleEdge[];
}

/** scheduledAt when no edge precedes the instant. */
export const EPOCH_ISO = "1970-01-01T00:00:00.000Z";
/** `next()` looks this many days ahead. */
export const NEXT_HORIZON_DAYS = 400;

/** Bad schedule input: a ConfigurationError whose `field` names the input at fault (e.g. "running[1]"). */
export class ScheduleError extends ConfigurationError {
  override readonly name = "ScheduleError";
}

// ------------------------------------------------------------------------------------------------
// Time zone arithmetic on the platform's Intl

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_MIN = 1440;
const WEEK_MIN = 7 * DAY_MIN;

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function utcOfFields(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (y >= 100) return ms;
  const date = new Date(ms);
  date.setUTCFullYear(y);
  return date.getTime();
}

/** UTC offset in ms (local minus UTC) of `timeZone` at the instant `epochMs`. */
function offsetMs(timeZone: string, epochMs: number): number {
  const t = Math.floor(epochMs / 1000) * 1000;
  let y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  for (const p of zoneFormatter(timeZone).formatToParts(t)) {
    switch (p.type) {
      case "year": y = Number(p.value); break;
      case "month": mo = Number(p.value); break;
      case "day": d = Number(p.value); break;
      case "hour": h = Number(p.value) % 24; break;
      case "minute": mi = Number(p.value); break;
      case "second": s = Number(p.value); break;
      default: break;
    }
  }
  return utcOfFields(y, mo, d, h, mi, s) - t;
}

/**
 * The instant of a local wall time, given as "wall ms" (the wall time's fields read as if UTC),
 * with compatible disambiguation: the earlier instant of a repeated time, and for a skipped time
 * the wall time read with the offset before the gap (i.e. moved forward by the gap's length).
 * Assumes at most one offset change within a day of the wall time, as in every real zone.
 */
function wallToEpoch(timeZone: string, wallMs: number): number {
  const before = offsetMs(timeZone, wallMs - DAY_MS);
  const after = offsetMs(timeZone, wallMs + DAY_MS);
  let best = Number.POSITIVE_INFINITY;
  for (const o of before === after ? [before] : [before, after]) {
    const t = wallMs - o;
    if (t < best && offsetMs(timeZone, t) === o) best = t;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  if (before === after) {
    // Two changes within a day (not in real zones today): try the offset found at the candidate.
    const o = offsetMs(timeZone, wallMs - before);
    if (offsetMs(timeZone, wallMs - o) === o) return wallMs - o;
  }
  return wallMs - before;
}

/** UTC offset of `timeZone` at `instant`, in minutes (e.g. 120 for CEST, -300 for EST). */
export function zoneOffsetMinutes(timeZone: string, instant: Date): number {
  return offsetMs(timeZone, instant.getTime()) / MINUTE_MS;
}

/** The instant of a local wall time in `timeZone`, resolved with compatible disambiguation. */
export function resolveWallTime(
  timeZone: string,
  wall: { year: number; month: number; day: number; hour: number; minute: number },
): Date {
  return new Date(wallToEpoch(timeZone, utcOfFields(wall.year, wall.month, wall.day, wall.hour, wall.minute, 0)));
}

// ------------------------------------------------------------------------------------------------
// Parsing and validation

const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_LABELS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const OVERRIDE_RULES: readonly OverrideRule[] = ["enforce", "until-next-edge", "pause-only"];
const KEYS = ["timezone", "running", "skipDates", "overrides"] as const;

const specSchema = z.strictObject({
  timezone: z.string(),
  running: z.array(z.string()),
  skipDates: z.array(z.string()).optional(),
  overrides: z.enum(["enforce", "until-next-edge", "pause-only"]).optional(),
});

const HINTS: Record<string, string> = {
  timezone: 'expected an IANA time zone name like "Europe/Berlin"',
  running: 'expected a list of windows like ["Mon-Fri 08:00-20:00"]',
  "running[]": 'expected a window like "Mon-Fri 08:00-20:00"',
  skipDates: 'expected a list of dates like ["2026-12-24", "2026-12-27..2027-01-01"]',
  "skipDates[]": 'expected a date like "2026-12-24" or a range like "2026-12-27..2027-01-01"',
  overrides: `expected one of ${OVERRIDE_RULES.map((r) => `"${r}"`).join(", ")}`,
};

function show(value: unknown): string {
  if (value === undefined) return "missing";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function structureError(input: unknown, issues: z.core.$ZodIssue[]): ScheduleError {
  const unknownKeys = issues.find((i) => i.code === "unrecognized_keys");
  if (unknownKeys && unknownKeys.code === "unrecognized_keys") {
    const [key, ...rest] = unknownKeys.keys;
    const near = KEYS.find((k) => k.toLowerCase() === key!.toLowerCase());
    const also = rest.length ? ` (also ${rest.map((k) => `"${k}"`).join(", ")})` : "";
    return new ScheduleError(
      key!,
      `unknown key${also}; ${near ? `did you mean "${near}"? ` : ""}a schedule takes ${KEYS.join(", ")}`,
    );
  }
  const issue = issues[0]!;
  if (issue.path.length === 0) {
    return new ScheduleError(
      "schedule",
      `expected an object like { timezone: "Europe/Berlin", running: ["Mon-Fri 08:00-20:00"] }, got ${show(input)}`,
    );
  }
  const [key, index] = issue.path;
  const field = typeof index === "number" ? `${String(key)}[${index}]` : String(key);
  const hintKey = typeof index === "number" ? `${String(key)}[]` : String(key);
  let value: unknown = (input as Record<string, unknown>)[String(key)];
  if (typeof index === "number" && Array.isArray(value)) value = value[index];
  const hint = HINTS[hintKey] ?? issue.message;
  return new ScheduleError(field, value === undefined ? `required; ${hint}` : `${show(value)} is not valid; ${hint}`);
}

function validateTimeZone(tz: string): void {
  const bad = () =>
    new ScheduleError("timezone", `${show(tz)} is not an IANA time zone; e.g. "Europe/Berlin", "America/New_York" or "UTC"`);
  if (!/^[A-Za-z]/.test(tz)) throw bad(); // "+01:00" style offsets are accepted by Intl but are not zones
  try {
    zoneFormatter(tz);
  } catch {
    throw bad();
  }
}

interface ParsedWindow {
  days: boolean[]; // index 0 = Monday
  start: number; // minute of day, 0..1439
  end: number; // minute of day, 1..1440; end < start means the window runs past midnight
}

function parseDays(text: string): boolean[] | string {
  const days = new Array<boolean>(7).fill(false);
  for (const item of text.split(",")) {
    const m = /^([A-Za-z]+)(?:-([A-Za-z]+))?$/.exec(item);
    const a = m ? DAY_NAMES.indexOf(m[1]!.toLowerCase()) : -1;
    const b = m?.[2] !== undefined ? DAY_NAMES.indexOf(m[2].toLowerCase()) : a;
    if (a < 0 || b < 0) return item;
    for (let d = a; ; d = (d + 1) % 7) {
      days[d] = true;
      if (d === b) break;
    }
  }
  return days;
}

function parseWindow(raw: string, field: string): ParsedWindow {
  const example = "Mon-Fri 08:00-20:00";
  const parts = raw.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0] === "") {
    throw new ScheduleError(field, `${show(raw)} is not "DAYS HH:MM-HH:MM"; write e.g. "${example}"`);
  }
  const [daysText, timesText] = parts as [string, string];
  const days = parseDays(daysText);
  if (typeof days === "string") {
    throw new ScheduleError(
      field,
      `${show(raw)}: ${show(days)} is not a day; use ${DAY_LABELS.join(", ")}, a range like Mon-Fri or a list like Mon,Wed,Fri`,
    );
  }
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(timesText);
  if (!m) {
    // Suggest the zero-padded spelling when the intent is clear ("8-20", "8:30-17").
    const loose = /^(\d{1,2})(?::(\d\d))?-(\d{1,2})(?::(\d\d))?$/.exec(timesText);
    const pad = (h: string, mm: string | undefined) => `${h.padStart(2, "0")}:${mm ?? "00"}`;
    const fix = loose ? `${daysText} ${pad(loose[1]!, loose[2])}-${pad(loose[3]!, loose[4])}` : `${daysText} 08:00-20:00`;
    throw new ScheduleError(field, `${show(raw)} is not HH:MM-HH:MM; write e.g. "${fix}"`);
  }
  const [sh, sm, eh, em] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  const timeOk = (h: number, mm: number) => h <= 23 && mm <= 59;
  if (sh === 24) {
    throw new ScheduleError(field, `${show(raw)}: 24:00 can only end a window; write e.g. "${daysText} 00:00-06:00" for the next morning`);
  }
  if (!timeOk(sh, sm)) throw new ScheduleError(field, `${show(raw)}: ${m[1]}:${m[2]} is not a time of day (00:00..23:59)`);
  if (!(timeOk(eh, em) || (eh === 24 && em === 0))) {
    throw new ScheduleError(field, `${show(raw)}: ${m[3]}:${m[4]} is not a time of day (00:00..23:59, or 24:00 as an end)`);
  }
  const start = sh * 60 + sm;
  const end = eh * 60 + em;
  if (start === end) {
    throw new ScheduleError(
      field,
      `${show(raw)} starts and ends at the same time; write "${daysText} 00:00-24:00" for whole days, ` +
        `an end before the start to run past midnight (e.g. "${daysText} 22:00-06:00"), or two windows for 24 hours from a time of day`,
    );
  }
  return { days, start, end };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number (days since 1970-01-01) of a real calendar date "YYYY-MM-DD", or undefined. */
function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const ms = utcOfFields(y, mo, d, 0, 0, 0);
  const back = new Date(ms);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return undefined;
  return Math.round(ms / DAY_MS);
}

function parseSkip(raw: string, field: string): [number, number] {
  const text = raw.trim();
  const fix = 'write "YYYY-MM-DD" (e.g. "2026-12-24") or an inclusive range "YYYY-MM-DD..YYYY-MM-DD" (e.g. "2026-12-24..2027-01-01")';
  const pieces = text.split("..").map((p) => p.trim());
  if (pieces.length > 2 || pieces.some((p) => !DATE_RE.test(p))) throw new ScheduleError(field, `${show(raw)} is not a date; ${fix}`);
  const days = pieces.map(parseDate);
  const badIndex = days.findIndex((d) => d === undefined);
  if (badIndex >= 0) throw new ScheduleError(field, `${show(pieces[badIndex])} is not a real calendar date; ${fix}`);
  const a = days[0]!;
  const b = days[days.length - 1]!;
  if (b < a) throw new ScheduleError(field, `range ${show(raw)} ends before it starts; write "${pieces[1]}..${pieces[0]}"`);
  return [a, b];
}

// ------------------------------------------------------------------------------------------------
// The compiled schedule

/** A merged run of wall time that starts on some weekday at `start` (minute of day) and lasts `length` minutes. */
interface Run {
  start: number;
  length: number;
}

const weekdayOf = (day: number) => (((day + 3) % 7) + 7) % 7; // 1970-01-01 (day 0) was a Thursday; Monday = 0
const CHUNK_MS = 8 * DAY_MS;
const QUIET_MS = 22 * DAY_MS; // a schedule that is not always running changes state in every DST-free week
const MEMO_LIMIT = 4096;

class CompiledSchedule implements PowerSchedule {
  private readonly zone: string;
  /** runsByWeekday[w]: the merged runs starting on weekday w (Monday = 0). */
  private readonly runsByWeekday: Run[][] = [[], [], [], [], [], [], []];
  /** True when the windows cover the whole week: then only skipped dates make edges. */
  private readonly alwaysRunning: boolean;
  /** Skipped local dates as sorted, disjoint, non-adjacent inclusive day-number spans. */
  private readonly skips: Array<[number, number]>;
  private readonly dayMemo = new Map<number, number[]>();
  private readonly midnightMemo = new Map<number, number>();

  constructor(
    readonly spec: Readonly<Required<PowerScheduleSpec>>,
    windows: ParsedWindow[],
    skips: Array<[number, number]>,
  ) {
    this.zone = spec.timezone;
    const week = new Uint8Array(WEEK_MIN);
    for (const w of windows) {
      const length = w.end > w.start ? w.end - w.start : w.end + DAY_MIN - w.start;
      for (let d = 0; d < 7; d++) {
        if (!w.days[d]) continue;
        const first = d * DAY_MIN + w.start;
        for (let i = 0; i < length; i++) week[(first + i) % WEEK_MIN] = 1;
      }
    }
    const pausedAt = week.indexOf(0);
    this.alwaysRunning = pausedAt < 0;
    if (!this.alwaysRunning) {
      // Walk the week once starting at a paused minute, so that no run is split by the walk.
      for (let i = 1; i <= WEEK_MIN; i++) {
        const at = (pausedAt + i) % WEEK_MIN;
        if (week[at] && !week[(at + WEEK_MIN - 1) % WEEK_MIN]) {
          let length = 0;
          while (week[(at + length) % WEEK_MIN]) length++;
          this.runsByWeekday[Math.floor(at / DAY_MIN)]!.push({ start: at % DAY_MIN, length });
        }
      }
    }
    const sorted = [...skips].sort((x, y) => x[0] - y[0]);
    this.skips = [];
    for (const [a, b] of sorted) {
      const last = this.skips[this.skips.length - 1];
      if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
      else this.skips.push([a, b]);
    }
  }

  // --- instants

  private resolve(wallMinute: number): number {
    return wallToEpoch(this.zone, wallMinute * MINUTE_MS);
  }

  private localDay(ms: number): number {
    return Math.floor((ms + offsetMs(this.zone, ms)) / DAY_MS);
  }

  private midnight(day: number): number {
    let ms = this.midnightMemo.get(day);
    if (ms === undefined) {
      if (this.midnightMemo.size >= MEMO_LIMIT) this.midnightMemo.clear();
      ms = this.resolve(day * DAY_MIN);
      this.midnightMemo.set(day, ms);
    }
    return ms;
  }

  /** Flat [start, end, ...] instants of the runs starting on local date `day` (empty ones dropped). */
  private runsOn(day: number): number[] {
    let out = this.dayMemo.get(day);
    if (out === undefined) {
      out = [];
      for (const run of this.runsByWeekday[weekdayOf(day)]!) {
        const s = this.resolve(day * DAY_MIN + run.start);
        const e = this.resolve(day * DAY_MIN + run.start + run.length);
        if (e > s) out.push(s, e);
      }
      if (this.dayMemo.size >= MEMO_LIMIT) this.dayMemo.clear();
      this.dayMemo.set(day, out);
    }
    return out;
  }

  /**
   * Running intervals (flat [s, e, ...], sorted, disjoint, not touching) exact for every instant
   * of the local dates firstDay..lastDay, with a margin of a day each side. Intervals may be cut
   * short (or extend to ±Infinity) outside that range.
   */
  private intervals(firstDay: number, lastDay: number): number[] {
    const raw: Array<[number, number]> = [];
    if (this.alwaysRunning) raw.push([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    else {
      // A run is shorter than a week, so one overlapping firstDay - 1 starts no earlier than firstDay - 8.
      for (let day = firstDay - 8; day <= lastDay + 1; day++) {
        const r = this.runsOn(day);
        for (let i = 0; i < r.length; i += 2) raw.push([r[i]!, r[i + 1]!]);
      }
      raw.sort((x, y) => x[0] - y[0]);
    }
    const merged: number[] = [];
    for (const [s, e] of raw) {
      const n = merged.length;
      if (n && s <= merged[n - 1]!) merged[n - 1] = Math.max(merged[n - 1]!, e);
      else merged.push(s, e);
    }
    // Subtract the skipped days that touch the range.
    const cuts: number[] = [];
    for (const [a, b] of this.skips) {
      if (b < firstDay - 2 || a > lastDay + 2) continue;
      cuts.push(this.midnight(a), this.midnight(b + 1));
    }
    if (!cuts.length) return merged;
    const out: number[] = [];
    for (let i = 0; i < merged.length; i += 2) {
      let s = merged[i]!;
      const e = merged[i + 1]!;
      for (let j = 0; j < cuts.length && s < e; j += 2) {
        const cs = cuts[j]!;
        const ce = cuts[j + 1]!;
        if (ce <= s || cs >= e) continue;
        if (cs > s) out.push(s, cs);
        s = ce;
      }
      if (s < e) out.push(s, e);
    }
    return out;
  }

  /** Edges in (fromMs, toMs]. */
  private edgesIn(fromMs: number, toMs: number): ScheduleEdge[] {
    const out: ScheduleEdge[] = [];
    if (!(toMs > fromMs)) return out;
    const iv = this.intervals(this.localDay(fromMs), this.localDay(toMs));
    for (let i = 0; i < iv.length; i += 2) {
      const s = iv[i]!;
      const e = iv[i + 1]!;
      if (s > fromMs && s <= toMs) out.push({ at: new Date(s), powerState: "running" });
      if (e > fromMs && e <= toMs) out.push({ at: new Date(e), powerState: "paused" });
    }
    return out;
  }

  private runningAt(ms: number): boolean {
    const day = this.localDay(ms);
    const iv = this.intervals(day, day);
    for (let i = 0; i < iv.length; i += 2) if (iv[i]! <= ms && ms < iv[i + 1]!) return true;
    return false;
  }

  /** The skipped span containing the instant, as [midnight(a), midnight(b + 1)). */
  private skipSpanAt(ms: number): [number, number] | undefined {
    const day = this.localDay(ms);
    let lo = 0;
    let hi = this.skips.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.skips[mid]!;
      if (day < a) hi = mid - 1;
      else if (day > b) lo = mid + 1;
      else return [this.midnight(a), this.midnight(b + 1)];
    }
    return undefined;
  }

  private lastEdgeAtOrBefore(t: number): ScheduleEdge | undefined {
    const firstSkip = this.skips.length ? this.midnight(this.skips[0]![0]) : Number.POSITIVE_INFINITY;
    const stop = Math.min(t, firstSkip) - QUIET_MS;
    let hi = t;
    for (;;) {
      const span = this.skipSpanAt(hi);
      if (span && span[0] < hi) hi = span[0]; // nothing changes inside a skipped span
      const lo = hi - CHUNK_MS;
      const found = this.edgesIn(lo, hi);
      if (found.length) return found[found.length - 1];
      hi = lo;
      if (this.alwaysRunning) {
        // Only skipped spans make edges: go to the end of the previous one.
        let prevEnd: number | undefined;
        for (const [, b] of this.skips) {
          const end = this.midnight(b + 1);
          if (end <= hi) prevEnd = end;
          else break;
        }
        if (prevEnd === undefined) return undefined;
        hi = prevEnd;
      } else if (hi < stop) return undefined;
    }
  }

  private firstEdgeAfter(t: number, limit: number): ScheduleEdge | undefined {
    const lastSkip = this.skips.length ? this.midnight(this.skips[this.skips.length - 1]![1] + 1) : Number.NEGATIVE_INFINITY;
    const stop = Math.max(t, lastSkip) + QUIET_MS;
    let lo = t;
    for (;;) {
      const span = this.skipSpanAt(lo);
      if (span && span[1] - 1 > lo) lo = span[1] - 1; // the next possible edge is at the span's end
      if (lo >= limit) return undefined;
      const hi = lo + CHUNK_MS;
      const found = this.edgesIn(lo, hi);
      if (found.length) return found[0]!.at.getTime() <= limit ? found[0] : undefined;
      lo = hi;
      if (this.alwaysRunning) {
        const nextSkip = this.skips.find(([a]) => this.midnight(a) > lo);
        if (!nextSkip) return undefined;
        lo = this.midnight(nextSkip[0]) - 1;
      } else if (lo > stop) return undefined;
    }
  }

  at(instant: Date): ScheduledInputs {
    const t = instantMs(instant, "at");
    const last = this.lastEdgeAtOrBefore(t);
    return {
      powerState: last ? last.powerState : this.runningAt(t) ? "running" : "paused",
      scheduledAt: last ? last.at.toISOString() : EPOCH_ISO,
      overrides: this.spec.overrides,
    };
  }

  next(instant: Date): ScheduleEdge | undefined {
    const t = instantMs(instant, "next");
    return this.firstEdgeAfter(t, t + NEXT_HORIZON_DAYS * DAY_MS);
  }

  edges(from: Date, to: Date): ScheduleEdge[] {
    return this.edgesIn(instantMs(from, "edges"), instantMs(to, "edges"));
  }
}

function instantMs(instant: Date, method: string): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new ScheduleError(method, `expected a valid Date, got ${show(instant)}`);
  return ms;
}

/** Validates `spec` (throwing ScheduleError naming the field and the fix) and compiles it. */
export function powerSchedule(spec: PowerScheduleSpec): PowerSchedule {
  const parsed = specSchema.safeParse(spec);
  if (!parsed.success) throw structureError(spec, parsed.error.issues);
  const { timezone, running, skipDates = [], overrides = "enforce" } = parsed.data;
  validateTimeZone(timezone);
  if (running.length === 0) {
    throw new ScheduleError(
      "running",
      'list at least one window, e.g. ["Mon-Fri 08:00-20:00"]; to keep clusters paused set powerState "paused" without a schedule',
    );
  }
  const windows = running.map((w, i) => parseWindow(w, `running[${i}]`));
  const skips = skipDates.map((d, i) => parseSkip(d, `skipDates[${i}]`));
  const normalized = Object.freeze({
    timezone,
    running: Object.freeze([...running]) as unknown as string[],
    skipDates: Object.freeze([...skipDates]) as unknown as string[],
    overrides,
  });
  return new CompiledSchedule(normalized, windows, skips);
}

// ------------------------------------------------------------------------------------------------
// Cron lines

interface Firing {
  ms: number;
  minute: number;
  hour: number;
  dom: number;
  month: number;
  year: number;
  dow: number; // cron numbering: 0 = Sunday
}

function firingOf(ms: number): Firing {
  const d = new Date(ms);
  return {
    ms,
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    dom: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    year: d.getUTCFullYear(),
    dow: d.getUTCDay(),
  };
}

/** "1,2,3,5" -> "1-3,5"; the full set -> "*". */
function cronList(values: Iterable<number>, min: number, max: number): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length === max - min + 1) return "*";
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return parts.join(",");
}

function addUtcMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const y = Math.floor(total / 12);
  const mo = total % 12;
  const lastDay = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return Date.UTC(y, mo, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** Lines "m h <rest>", one per (minute, rest), joining the hours that share both. */
function joinHours(units: Array<{ minute: number; hour: number; rest: string }>): string[] {
  const byRest = new Map<string, { minute: number; rest: string; hours: Set<number> }>();
  for (const u of units) {
    const key = `${u.minute} ${u.rest}`;
    const g = byRest.get(key) ?? { minute: u.minute, rest: u.rest, hours: new Set<number>() };
    g.hours.add(u.hour);
    byRest.set(key, g);
  }
  return [...byRest.values()]
    .sort((a, b) => a.minute - b.minute || Math.min(...a.hours) - Math.min(...b.hours) || a.rest.localeCompare(b.rest))
    .map((g) => `${g.minute} ${cronList(g.hours, 0, 23)} ${g.rest}`);
}

function matches(line: string, f: Firing): boolean {
  const [m, h, dom, mon, dow] = line.split(" ") as [string, string, string, string, string];
  const has = (field: string, v: number) =>
    field === "*" ||
    field.split(",").some((p) => {
      const [a, b] = p.split("-").map(Number) as [number, number | undefined];
      return b === undefined ? v === a : v >= a && v <= b;
    });
  // The lines built here never restrict both day-of-month and day-of-week.
  return has(m, f.minute) && has(h, f.hour) && has(dom, f.dom) && has(mon, f.month) && has(dow, f.dow);
}

/**
 * UTC cron lines (`m h dom mon dow`) that fire at every edge of `schedule` in (from, from + months]
 * (calendar months, UTC), for a CI scheduler or a Pulumi Deployments schedule (both read cron in
 * UTC). An edge with seconds (not in any current zone) fires at the next whole minute.
 *
 * - No UTC-offset change in the period: one weekly line per (UTC minute, weekday set), with the
 *   hours sharing both joined (`0 7,19 * * 1-5`). These lines stay right after the period for as
 *   long as the offset does. Extra firings: only on skipped dates, one for each edge the weekly
 *   pattern would have had there.
 * - Offset changes (DST): per (UTC minute, hour) and calendar month, a weekly line restricted to the
 *   month when the pattern holds on every matching day of that month within the period, else a
 *   line listing the exact days of the month (always so for a month the period covers twice, like
 *   the first and last months of 12 months from a mid-month date). No extra firings for periods of
 *   up to 12 months. Cron has no year, so in a longer period a month covered twice in full or in
 *   overlapping parts shares its lines between the years: extra firings are then possible on the
 *   days of those months (at most one month's firings per such month). These lines are meant for
 *   the period only: regenerate before it ends.
 *
 * `note` states the period and the exact number of extra firings in it. Extra firings are harmless
 * with `overrides: "until-next-edge"` (or "pause-only"): `at()` gives the same scheduledAt, so the
 * provider does nothing; with "enforce" they re-apply the scheduled state, undoing manual changes.
 */
export function cronLines(schedule: PowerSchedule, from: Date, months = 12): { lines: string[]; note?: string } {
  if (!Number.isInteger(months) || months < 1 || months > 120) {
    throw new ScheduleError("months", `expected a whole number of months from 1 to 120, got ${show(months)}`);
  }
  const fromMs = instantMs(from, "cronLines");
  const toMs = addUtcMonths(fromMs, months);
  const period = `${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()}`;
  const edges = schedule.edges(new Date(fromMs), new Date(toMs));
  if (!edges.length) return { lines: [], note: `no edges in ${period}` };
  const rounded = edges.some((e) => e.at.getTime() % MINUTE_MS !== 0);
  const edgeMs = [...new Set(edges.map((e) => Math.ceil(e.at.getTime() / MINUTE_MS) * MINUTE_MS))];
  const firings = edgeMs.map(firingOf);
  const zone = schedule.spec.timezone;
  const offsets = new Set([fromMs, toMs, ...edgeMs].map((ms) => offsetMs(zone, ms)));
  const notes: string[] = [];
  let lines: string[];

  if (offsets.size === 1) {
    const dows = new Map<string, { minute: number; hour: number; days: Set<number> }>();
    for (const f of firings) {
      const key = `${f.minute} ${f.hour}`;
      const g = dows.get(key) ?? { minute: f.minute, hour: f.hour, days: new Set<number>() };
      g.days.add(f.dow);
      dows.set(key, g);
    }
    lines = joinHours([...dows.values()].map((g) => ({ minute: g.minute, hour: g.hour, rest: `* * ${cronList(g.days, 0, 6)}` })));
    const offset = [...offsets][0]! / MINUTE_MS;
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    notes.push(
      `${zone} stays at UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")} in ${period}; the lines stay right while that offset does`,
    );
  } else {
    // Group by UTC time of day, then by (year, month).
    const groups = new Map<string, Map<string, Firing[]>>();
    for (const f of firings) {
      const key = `${f.minute} ${f.hour}`;
      const byMonth = groups.get(key) ?? new Map<string, Firing[]>();
      const mk = `${f.year}-${f.month}`;
      byMonth.set(mk, [...(byMonth.get(mk) ?? []), f]);
      groups.set(key, byMonth);
    }
    // A calendar month the period covers twice (its first and last months for 12 months from a
    // mid-month date) gets exact dates in both years: cron has no year, so a weekly line would fire
    // in the other year too. The two date sets then never overlap within the period.
    const seen = new Map<number, Set<number>>();
    for (let ms = Date.UTC(new Date(fromMs).getUTCFullYear(), new Date(fromMs).getUTCMonth(), 1); ms <= toMs; ms = addUtcMonths(ms, 1)) {
      const date = new Date(ms);
      const years = seen.get(date.getUTCMonth() + 1) ?? new Set<number>();
      years.add(date.getUTCFullYear());
      seen.set(date.getUTCMonth() + 1, years);
    }
    const twice = new Set([...seen].filter(([, years]) => years.size > 1).map(([month]) => month));
    const weekly = new Map<string, { minute: number; hour: number; dows: string; months: Set<number> }>();
    const exact = new Map<string, { minute: number; hour: number; month: number; doms: Set<number> }>();
    for (const byMonth of groups.values()) {
      for (const fs of byMonth.values()) {
        const { minute, hour, year, month } = fs[0]!;
        const days = new Set(fs.map((f) => f.dom));
        const dowSet = new Set(fs.map((f) => f.dow));
        const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
        let full = !twice.has(month);
        for (let d = 1; d <= lastDay && full; d++) {
          const ms = Date.UTC(year, month - 1, d, hour, minute);
          if (ms > fromMs && ms <= toMs && dowSet.has(new Date(ms).getUTCDay()) && !days.has(d)) full = false;
        }
        if (full) {
          const dows = cronList(dowSet, 0, 6);
          const key = `${minute} ${hour} ${dows}`;
          const g = weekly.get(key) ?? { minute, hour, dows, months: new Set<number>() };
          g.months.add(month);
          weekly.set(key, g);
        } else {
          const key = `${minute} ${hour} ${month}`;
          const g = exact.get(key) ?? { minute, hour, month, doms: new Set<number>() };
          for (const d of days) g.doms.add(d);
          exact.set(key, g);
        }
      }
    }
    lines = [
      ...joinHours([...weekly.values()].map((g) => ({ minute: g.minute, hour: g.hour, rest: `* ${cronList(g.months, 1, 12)} ${g.dows}` }))),
      ...joinHours([...exact.values()].map((g) => ({ minute: g.minute, hour: g.hour, rest: `${cronList(g.doms, 1, 31)} ${g.month} *` }))),
    ];
    notes.push(`${zone} changes its UTC offset in ${period}; the lines follow it there only, so regenerate them before ${new Date(toMs).toISOString()}`);
  }

  // Count the firings in the period that are not edges (and check that every edge fires).
  const edgeSet = new Set(edgeMs);
  const fired = new Set<number>();
  for (let day = Math.floor(fromMs / DAY_MS); day * DAY_MS <= toMs; day++) {
    for (const line of lines) {
      const [m, h] = line.split(" ") as [string, string];
      const hours = h === "*" ? [...Array(24).keys()] : expandList(h);
      for (const hour of hours) {
        const ms = day * DAY_MS + hour * 3_600_000 + Number(m) * MINUTE_MS;
        if (ms > fromMs && ms <= toMs && matches(line, firingOf(ms))) fired.add(ms);
      }
    }
  }
  const missed = edgeMs.filter((ms) => !fired.has(ms));
  if (missed.length) throw new Error(`cronLines: internal error, ${missed.length} edges not covered`);
  const extra = [...fired].filter((ms) => !edgeSet.has(ms)).length;
  notes.push(
    extra === 0
      ? `they fire exactly at the ${edgeMs.length} edges of the period`
      : `they fire at the ${edgeMs.length} edges of the period and at ${extra} other instants, which are harmless with overrides "until-next-edge" or "pause-only" (the scheduled state does not change there) but re-apply the schedule under "enforce"`,
  );
  if (rounded) notes.push("edges with seconds fire at the next whole minute");
  return { lines, note: notes.join("; ") };
}

function expandList(field: string): number[] {
  const out: number[] = [];
  for (const p of field.split(",")) {
    const [a, b] = p.split("-").map(Number) as [number, number | undefined];
    for (let v = a; v <= (b ?? a); v++) out.push(v);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Override decision (pure; used by the provider's diff and refresh)

export interface OverrideFacts {
  rule: OverrideRule;
  /** The powerState input. */
  desired: "running" | "paused";
  /** The scheduledAt input (the edge the desired state belongs to). */
  scheduledAt?: string;
  /** The scheduledAt for which the resource last brought the cluster to `desired` (old outputs). */
  actedFor?: string;
  /** Whether the observed state satisfies `desired` (computed by the caller). */
  satisfied: boolean;
  creating: boolean;
}

export type OverrideDecision = {
  act: boolean;
  rule: string;
  /** True when the cluster was changed by hand since the edge and the rule leaves it so. */
  overridden?: true;
};

/**
 * Whether the provider should bring the cluster to `desired`, with a short reason for the preview.
 *
 * - "enforce": act iff the observed state does not satisfy `desired`.
 * - "until-next-edge": a create always acts. Otherwise act iff not satisfied and the resource has
 *   not yet acted for this `scheduledAt`: a manual change made after the provider acted for an
 *   edge is left alone until the next edge. Without a `scheduledAt` there are no edges to tell
 *   apart, so it behaves like "enforce".
 * - "pause-only": like "until-next-edge" when `desired` is "paused"; never acts (never resumes)
 *   when `desired` is "running", not even on create.
 */
export function overrideDecision(f: OverrideFacts): OverrideDecision {
  const { rule, desired } = f;
  if (rule === "enforce") {
    return f.satisfied
      ? { act: false, rule: `enforce: cluster already ${desired}` }
      : { act: true, rule: `enforce: bringing cluster to ${desired}` };
  }
  if (rule === "pause-only" && desired === "running") {
    return { act: false, rule: "pause-only: never resumes; the cluster runs only when started by hand" };
  }
  const edge = f.scheduledAt !== undefined ? ` for edge ${f.scheduledAt}` : "";
  if (f.creating) return { act: true, rule: `${rule}: created, bringing cluster to ${desired}${edge}` };
  if (f.satisfied) return { act: false, rule: `${rule}: cluster already ${desired}` };
  if (f.scheduledAt === undefined) {
    return { act: true, rule: `${rule}: no scheduledAt, enforcing ${desired}` };
  }
  if (f.actedFor === f.scheduledAt) {
    return {
      act: false,
      rule: `${rule}: manual override respected until the next edge (already brought cluster to ${desired} for edge ${f.scheduledAt})`,
      overridden: true,
    };
  }
  return { act: true, rule: `${rule}: new edge ${f.scheduledAt}, bringing cluster to ${desired}` };
}
