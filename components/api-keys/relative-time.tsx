'use client';
/**
 * Times in the keys table: "3 minutes ago" and "Jan 5, 2026", with the exact time on hover.
 * The server renders with its own clock and in UTC; hydration reuses exactly that (so the markup
 * matches), then the browser switches to its own clock and time zone and ticks every 30 s.
 */
import { useSyncExternalStore } from 'react';

const TICK_MS = 30_000;
let current = 0;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribeClock(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    current = Date.now();
    timer = setInterval(() => {
      current = Date.now();
      listeners.forEach((notify) => notify());
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

function readClock() {
  if (!current) current = Date.now();
  return current;
}

/** The time to compare against: `serverNow` on the server and while hydrating, then the browser's. */
export function useNow(serverNow: number): number {
  return useSyncExternalStore(subscribeClock, readClock, () => serverNow);
}

const noSubscription = () => () => {};

/** False on the server and during hydration; true once the browser has taken over. */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
const UNITS: [Intl.RelativeTimeFormatUnit, number, number][] = [
  // unit, its length in seconds, and the point (in seconds) up to which it is used
  ['minute', 60, 45 * 60],
  ['hour', 3600, 22 * 3600],
  ['day', 86_400, 26 * 86_400],
  ['month', 30 * 86_400, 320 * 86_400],
  ['year', 365 * 86_400, Infinity],
];

export function formatRelative(date: Date, now: number): string {
  const seconds = (date.getTime() - now) / 1000;
  const size = Math.abs(seconds);
  if (size < 45) return seconds <= 0 ? 'just now' : 'in a few seconds';
  const [unit, length] = UNITS.find(([, , upTo]) => size < upTo) ?? UNITS[UNITS.length - 1]!;
  return relative.format(Math.sign(seconds) * Math.max(1, Math.round(size / length)), unit);
}

function formatters(timeZone: string | undefined) {
  return {
    date: new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone }),
    exact: new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'long', timeZone }),
  };
}
const utc = formatters('UTC');
let local: ReturnType<typeof formatters> | undefined;

function formattersFor(isClient: boolean) {
  if (!isClient) return utc;
  local ??= formatters(undefined);
  return local;
}

/** "3 minutes ago" / "in 2 hours", with the exact time as a tooltip. */
export function RelativeTime({ iso, serverNow, className }: { iso: string; serverNow: number; className?: string }) {
  const now = useNow(serverNow);
  const format = formattersFor(useIsClient());
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={format.exact.format(date)} className={className}>
      {formatRelative(date, now)}
    </time>
  );
}

/** "Jan 5, 2026" (or the given text, such as "Expired"), with the exact time as a tooltip. */
export function DateText({ iso, className, children }: { iso: string; className?: string; children?: string }) {
  const format = formattersFor(useIsClient());
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={format.exact.format(date)} className={className}>
      {children ?? format.date.format(date)}
    </time>
  );
}
