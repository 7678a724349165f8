import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReliabilityRecord, SuiteRecord } from "../../tools/reliability/records";

/**
 * Figures for RELIABILITY.md. Every reliability suite collects what it tried into a SuiteRecord;
 * when CLUSTER_POWER_RELIABILITY_DIR is set (`npm run reliability` sets it), the suite writes it
 * there as JSON and tools/reliability/render.ts turns the folder into RELIABILITY.md. Without the
 * variable nothing is written, so `npm test` leaves the tree untouched.
 */
export const RECORD_DIR_ENV = "CLUSTER_POWER_RELIABILITY_DIR";

export class Recorder {
  private readonly record: SuiteRecord;

  constructor(suite: string, title: string) {
    this.record = { suite, title, startedAt: new Date().toISOString(), entries: [], figures: {}, leaks: { scanned: 0, found: 0, where: [] } };
  }

  add(entry: ReliabilityRecord): void {
    this.record.entries.push(entry);
  }

  figure(name: string, value: number | string): void {
    this.record.figures[name] = value;
  }

  /** Counts one scan for canary secrets; `found` lists where one showed up. */
  scanned(texts: number, found: string[]): void {
    this.record.leaks.scanned += texts;
    this.record.leaks.found += found.length;
    this.record.leaks.where.push(...found);
  }

  save(): void {
    const dir = process.env[RECORD_DIR_ENV];
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    this.record.finishedAt = new Date().toISOString();
    writeFileSync(join(dir, `${this.record.suite}.json`), `${JSON.stringify(this.record, null, 2)}\n`);
  }
}
