/**
 * bench:usage's timings of the console's usage reads: the functions the key page (getKeyUsage
 * for each range of its switch), the API Keys table (getKeysActivity for a page of 25 keys) and
 * Settings › Usage (getProjectUsage for each range) call, authorization included — each the median
 * of `runs` after `warmups`, the cases taking turns round by round so that drift hits all alike.
 * Settings › Usage is timed twice: as a view finds it between flushes (its top keys read from
 * their stored ranking), and right after a flush, before the background pass has summed the
 * ranking again (each run first marks the project's rankings out of date, as a flush does, outside
 * the timing): what a view pays when it comes first.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import type { Actor } from '@/lib/auth/authorize';
import { getKeysActivity, getKeyUsage, getProjectUsage, rangeInput } from '@/lib/usage/query';
import { USAGE_RANGES, type UsageRange } from '@/lib/usage/schemas';
import { fmt } from './load-report';
import { median } from './stats';

export type ReadOptions = { runs: number; warmups: number; keyPageKey: string; tablePage: string[]; projectId: string };
export type ReadTime = { label: string; ms: number };

const RANGES = Object.keys(USAGE_RANGES) as UsageRange[];

type ReadCase = { label: string; read: () => Promise<unknown>; before?: () => Promise<unknown> };

function cases(db: Db, actor: Actor, options: ReadOptions): ReadCase[] {
  // Only the range's own ranking: marking the others would make their cases "after a flush" too.
  const afterFlush = (range: UsageRange) => () => db.execute(sql`update usage_rankings set version = version + 1 where project_id = ${options.projectId} and range = ${range}`);
  return [
    ...RANGES.map((range) => ({ label: `key page · getKeyUsage ${range}`, read: () => getKeyUsage(db, actor, options.keyPageKey, rangeInput(range)) })),
    { label: `API Keys table · getKeysActivity (${options.tablePage.length} keys)`, read: () => getKeysActivity(db, actor, options.tablePage) },
    ...RANGES.map((range) => ({ label: `usage page · getProjectUsage ${range}`, read: () => getProjectUsage(db, actor, range) })),
    ...RANGES.map((range) => ({ label: `usage page, first view after a flush · ${range}`, read: () => getProjectUsage(db, actor, range), before: afterFlush(range) })),
  ];
}

export async function timeReads(db: Db, actor: Actor, options: ReadOptions): Promise<ReadTime[]> {
  const all = cases(db, actor, options);
  const samples: number[][] = all.map(() => []);
  for (let round = 0; round < options.warmups + options.runs; round++) {
    for (const [i, { read, before }] of all.entries()) {
      await before?.();
      const started = performance.now();
      await read();
      if (round >= options.warmups) samples[i]!.push(performance.now() - started);
    }
  }
  return all.map(({ label }, i) => ({ label, ms: median(samples[i]!) }));
}

/** Issue 12's targets for the large volume, on PostgreSQL. */
const TARGET_MS = 50;
const TARGET_RATIO = 3;

export function printReads(driver: string, small: ReadTime[], large: ReadTime[], smallCount: number, largeCount: number): void {
  const header = ['read (median ms)', `${fmt(smallCount)} verif.`, `${fmt(largeCount)} verif.`, 'ratio', `< ${TARGET_MS} ms and ≤ ${TARGET_RATIO}×`];
  const table = large.map(({ label, ms }, i) => {
    const ratio = ms / small[i]!.ms;
    const met = ms < TARGET_MS && ratio <= TARGET_RATIO;
    return [label, fmt(small[i]!.ms, 2), fmt(ms, 2), `${fmt(ratio, 2)}×`, met ? 'met' : 'missed'];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`Reads, server time in this process (${driver}${driver === 'postgres' ? '' : '; the targets are for PostgreSQL'}):`);
  console.log(line(header));
  for (const cells of table) console.log(line(cells));
}
