/**
 * Verifications counted per key, per minute, per outcome code — in memory, on the hot path, at
 * the cost of a Map lookup and an increment — and written by a timer at most every flush interval
 * (10 s by default) in one statement (lib/usage/store.ts), and at an orderly stop. A write that
 * fails is kept and added to the next one, so nothing counted is lost while the database is away
 * (up to MAX_HELD_MINUTES of counts); a SIGKILL loses what was counted since the last write.
 */
import type { Db } from '@/db/client';
import { COUNTED_CODES, CODE_INDEX, type CountedCode } from '@/lib/usage/codes';
import { recordDatabaseError } from '@/lib/metrics/recorder';
import { writeCounts, type CountRow } from '@/lib/usage/store';

const MINUTE_MS = 60_000;
/** While writes fail, the counts of this many minutes are held; older ones are dropped. */
export const MAX_HELD_MINUTES = 120;

/** One key's counts in one minute, by CODE_INDEX. */
type Tally = { projectId: string; counts: number[] };

export type CountWriter = (rows: CountRow[]) => Promise<void>;

/** What a process has written since it started: statements, the rows they carried, the answers those rows counted. */
export type CountsWritten = { statements: number; rows: number; answers: number };

const WRITTEN_LINE = /Usage counts written: (\d+) statements, (\d+) rows, (\d+) answers(?:; (\d+) answers not written)?/;

/** The line the server prints at an orderly stop (numbers only: no key, no secret). */
export function writtenLine(written: CountsWritten, unwritten: number): string {
  const line = `Usage counts written: ${written.statements} statements, ${written.rows} rows, ${written.answers} answers`;
  return unwritten > 0 ? `${line}; ${unwritten} answers not written (the database refused the last write)` : line;
}

/** The figures of the last such line in a server's output (tests and the usage bench read it). */
export function parseWrittenLine(output: string): (CountsWritten & { unwritten: number }) | undefined {
  const lines = output.split('\n').filter((line) => WRITTEN_LINE.test(line));
  const match = lines.length ? WRITTEN_LINE.exec(lines[lines.length - 1]!) : null;
  if (!match) return undefined;
  const [statements, rows, answers, unwritten] = match.slice(1).map((n) => Number(n ?? 0));
  return { statements: statements!, rows: rows!, answers: answers!, unwritten: unwritten! };
}

export class VerificationCounts {
  /** Minute start (ms) → key id → tally. */
  private readonly minutes = new Map<number, Map<string, Tally>>();
  private currentMinute = -1;
  private current: Map<string, Tally> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** What the writes that succeeded held (the server says it at an orderly stop; the usage bench prints it). */
  readonly written: CountsWritten = { statements: 0, rows: 0, answers: 0 };

  constructor(
    private readonly write: CountWriter,
    private readonly flushMs = 10_000,
  ) {}

  static forDatabase(getDb: () => Db, flushMs?: number): VerificationCounts {
    return new VerificationCounts((rows) => writeCounts(getDb(), rows), flushMs);
  }

  /** Counts one answer for a key; `ms`: when, in milliseconds since the epoch. */
  add(apiKeyId: string, projectId: string, code: CountedCode, ms: number): void {
    const minute = ms - (ms % MINUTE_MS);
    let tallies = this.current;
    if (minute !== this.currentMinute || tallies === undefined) {
      tallies = this.minutes.get(minute);
      if (!tallies) this.minutes.set(minute, (tallies = new Map()));
      this.current = tallies;
      this.currentMinute = minute;
    }
    let tally = tallies.get(apiKeyId);
    if (tally === undefined) {
      tally = { projectId, counts: COUNTED_CODES.map(() => 0) };
      tallies.set(apiKeyId, tally);
    }
    tally.counts[CODE_INDEX[code]]!++;
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** How many answers are counted and not yet written. */
  pending(): number {
    let total = 0;
    for (const tallies of this.minutes.values()) for (const { counts } of tallies.values()) for (const n of counts) total += n;
    return total;
  }

  /** Writes everything counted so far; resolves once it is written (or kept for the next try). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.take();
    this.writing = this.writing.then(() => this.send(rows));
    return this.writing;
  }

  private take(): CountRow[] {
    const rows: CountRow[] = [];
    for (const [minute, tallies] of this.minutes) {
      for (const [apiKeyId, { projectId, counts }] of tallies) {
        counts.forEach((count, i) => {
          if (count > 0) rows.push({ apiKeyId, projectId, minute, code: COUNTED_CODES[i]!, count });
        });
      }
    }
    this.minutes.clear();
    this.current = undefined;
    this.currentMinute = -1;
    return rows;
  }

  private async send(rows: CountRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.write(rows);
      this.written.statements++;
      this.written.rows += rows.length;
      for (const { count } of rows) this.written.answers += count;
    } catch (error) {
      recordDatabaseError(error);
      this.keep(rows);
    }
  }

  /** A failed write's rows, added back to be written with the next flush. */
  private keep(rows: CountRow[]): void {
    for (const { apiKeyId, projectId, minute, code, count } of rows) {
      let tallies = this.minutes.get(minute);
      if (!tallies) this.minutes.set(minute, (tallies = new Map()));
      let tally = tallies.get(apiKeyId);
      if (!tally) tallies.set(apiKeyId, (tally = { projectId, counts: COUNTED_CODES.map(() => 0) }));
      tally.counts[CODE_INDEX[code as CountedCode]]! += count;
    }
    const held = [...this.minutes.keys()].sort((a, b) => a - b);
    for (const minute of held.slice(0, Math.max(0, held.length - MAX_HELD_MINUTES))) this.minutes.delete(minute);
    this.current = undefined;
    this.currentMinute = -1;
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }
}
