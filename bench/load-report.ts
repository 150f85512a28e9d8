/** What bench:load and bench:soak print: a table of figures per kind of request, and the totals. */
import { percentile, type Kind, type Tally } from './load-mix';

// ---------------------------------------------------------------------------------------------
// Output

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function table(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const cells of rows) console.log(line(cells).trimEnd());
}

export function printFigures(tallies: Map<Kind, Tally>, seconds: number): number {
  const rows: string[][] = [];
  let total = 0;
  let verifies = 0;
  let fivexx = 0;
  for (const [kind, tally] of tallies) {
    const sorted = Float64Array.from(tally.latencies).sort();
    const answers = [...tally.statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status === 0 ? 'no answer' : status}×${fmt(count)}`);
    rows.push([kind, fmt(sorted.length), fmt(sorted.length / seconds), fmt(percentile(sorted, 0.5), 1), fmt(percentile(sorted, 0.99), 1), fmt(tally.count((s) => s >= 500)), fmt(tally.unexpected), answers.join(' ')]);
    total += sorted.length;
    if (kind.startsWith('verify')) verifies += sorted.length;
    fivexx += tally.count((s) => s >= 500);
  }
  table(['kind', 'requests', 'req/s', 'p50 ms', 'p99 ms', '5xx', 'unexpected', 'answers'], rows);
  console.log('');
  console.log(`throughput: ${fmt(total / seconds)} req/s over ${fmt(seconds, 1)} s — verify ${fmt(verifies / seconds)} req/s, management ${fmt((total - verifies) / seconds)} req/s (${fmt((100 * (total - verifies)) / total, 1)}%)`);
  console.log(`5xx answers: ${fmt(fivexx)} (target 0)`);
  const lost = [...tallies.values()].reduce((sum, tally) => sum + (tally.statuses.get(0) ?? 0), 0);
  const unexpected = [...tallies.values()].reduce((sum, tally) => sum + tally.unexpected, 0);
  console.log(`no answer (transport error or 30 s timeout): ${fmt(lost)} · unexpected answers: ${fmt(unexpected)}`);
  return fivexx;
}


/** What the server logged about its failures, counted by line. */
export function printServerFailures(output: string): void {
  const logged = new Map<string, number>();
  for (const line of output.split('\n')) if (/error|unexpected|failed/i.test(line)) logged.set(line.trim(), (logged.get(line.trim()) ?? 0) + 1);
  if (logged.size) console.log(`the server logged:\n${[...logged].map(([line, n]) => `  ${fmt(n)} × ${line}`).join('\n')}`);
}
