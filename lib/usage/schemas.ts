/** The shapes of a usage query, shared by the console and `GET /api/v1/keys/{id}/usage`. */
import { z } from 'zod';

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const GRANULARITY_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A query answers at most this many buckets: a month by hour, a day by minute. */
export const MAX_BUCKETS = 1_500;

/** The console's range switch: how far back, in which buckets. */
export const USAGE_RANGES = {
  '24h': { label: '24 hours', spanMs: 24 * 3_600_000, granularity: 'hour', title: 'last 24 hours' },
  '7d': { label: '7 days', spanMs: 7 * 86_400_000, granularity: 'hour', title: 'last 7 days' },
  '30d': { label: '30 days', spanMs: 30 * 86_400_000, granularity: 'day', title: 'last 30 days' },
} as const satisfies Record<string, { label: string; spanMs: number; granularity: Granularity; title: string }>;
export type UsageRange = keyof typeof USAGE_RANGES;
export const usageRangeSchema = z.enum(Object.keys(USAGE_RANGES) as [UsageRange, ...UsageRange[]]).catch('24h');

const instant = (name: string) =>
  z.iso
    .datetime({ offset: true, error: `${name} must be an ISO 8601 date and time.` })
    .transform((value) => new Date(value))
    .optional();

/** The granularity a span gets when none is asked for: the finest that fits MAX_BUCKETS. */
export function defaultGranularity(spanMs: number): Granularity {
  return (['minute', 'hour', 'day'] as const).find((g) => spanMs / GRANULARITY_MS[g] <= MAX_BUCKETS) ?? 'day';
}

/** `?from=&to=&granularity=`: to defaults to now, from to 24 hours before to. */
export function usageQueryInput(now: () => Date = () => new Date()) {
  return z
    .strictObject({ from: instant('from'), to: instant('to'), granularity: z.enum(GRANULARITIES, { error: 'granularity must be minute, hour or day.' }).optional() })
    .transform(({ from, to, granularity }) => {
      const end = to ?? now();
      const start = from ?? new Date(end.getTime() - USAGE_RANGES['24h'].spanMs);
      return { from: start, to: end, granularity: granularity ?? defaultGranularity(end.getTime() - start.getTime()) };
    })
    .superRefine(({ from, to, granularity }, context) => {
      if (from >= to) context.addIssue({ code: 'custom', path: ['from'], message: 'from must be before to.' });
      else if ((to.getTime() - from.getTime()) / GRANULARITY_MS[granularity] > MAX_BUCKETS) {
        context.addIssue({ code: 'custom', path: ['granularity'], message: `At most ${MAX_BUCKETS} buckets: choose a coarser granularity or a shorter range.` });
      }
    });
}
export type UsageQuery = { from: Date; to: Date; granularity: Granularity };
