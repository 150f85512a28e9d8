/**
 * The shapes of a usage query and its answer, shared by the console and
 * `GET /api/v1/keys/{id}/usage` (lib/api/openapi.ts documents these very schemas).
 */
import { z } from 'zod';
import { CODE_LABELS, COUNTED_CODES } from './codes';

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

/** Where a range of the switch ending `now` starts: at the first bucket that ends inside it. */
export function rangeStart(range: UsageRange, now: Date): Date {
  const { spanMs, granularity } = USAGE_RANGES[range];
  const size = GRANULARITY_MS[granularity];
  const start = now.getTime() - spanMs;
  return new Date(start - (start % size) + size);
}
export const usageRangeSchema = z.enum(Object.keys(USAGE_RANGES) as [UsageRange, ...UsageRange[]]).catch('24h');

const instant = (name: string, description: string) =>
  z.iso
    .datetime({ offset: true, error: `${name} must be an ISO 8601 date and time.` })
    .transform((value) => new Date(value))
    .optional()
    .meta({ description, example: '2030-01-01T00:00:00Z' });

/** The granularity a span gets when none is asked for: the finest that fits MAX_BUCKETS. */
export function defaultGranularity(spanMs: number): Granularity {
  return (['minute', 'hour', 'day'] as const).find((g) => spanMs / GRANULARITY_MS[g] <= MAX_BUCKETS) ?? 'day';
}

/** `?from=&to=&granularity=`: to defaults to now, from to 24 hours before to. */
export function usageQueryInput(now: () => Date = () => new Date()) {
  return z
    .strictObject({
      from: instant('from', 'Start of the range (ISO 8601). Default: 24 hours before `to`. Cut down to the start of its bucket.'),
      to: instant('to', 'End of the range, exclusive (ISO 8601). Default: now.'),
      granularity: z
        .enum(GRANULARITIES, { error: 'granularity must be minute, hour or day.' })
        .optional()
        .meta({ description: `Bucket size, in UTC. Default: the finest giving at most ${MAX_BUCKETS} buckets. Counts are kept per minute for 48 hours, then per hour, and per day after 90 days (by default): where a range asks for finer buckets than are kept, each hour’s or day’s count falls in its first bucket.` }),
    })
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

/** Verifications per outcome code; a code without any is left out. */
export const usageCountsSchema = z
  .strictObject(Object.fromEntries(COUNTED_CODES.map((code) => [code, z.number().int().nonnegative().optional().meta({ description: CODE_LABELS[code] })])))
  .meta({ description: 'Verifications per outcome code; codes without any are left out.' });

const instantOut = z.iso.datetime({ offset: true });

/** The answer of `GET /api/v1/keys/{id}/usage`, as lib/usage/query.ts getKeyUsage builds it. */
export const keyUsageSchema = z.strictObject({
  keyId: z.string(),
  from: instantOut.meta({ description: 'Start of the first bucket.' }),
  to: instantOut.meta({ description: 'End of the range, exclusive.' }),
  granularity: z.enum(GRANULARITIES),
  buckets: z
    .array(z.strictObject({ start: instantOut, counts: usageCountsSchema }))
    .meta({ description: 'Every bucket of the range, oldest first, empty ones included.' }),
  totals: usageCountsSchema,
});
