/**
 * KEYWARD_LOG_FORMAT=pretty: one short line a record, for a person at a terminal —
 * `12:04:05.123 INFO  msg  key=value …` — made from the JSON line pino wrote. No dependency:
 * pino-pretty is for development tooling, and this is all a person needs.
 */

/** Fields every line has, shown in their own places or not at all. */
const PLACED = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

const show = (value: unknown): string => {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
};

/** The readable form of one JSON line (a line that is not JSON is passed through as it came). */
export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = String(record.level ?? '').toUpperCase().padEnd(5);
  const fields = Object.entries(record)
    .filter(([name]) => !PLACED.has(name))
    .map(([name, value]) => `${name}=${show(value)}`);
  return `${[time, level, String(record.msg ?? ''), ...fields].filter(Boolean).join(' ')}\n`;
}
