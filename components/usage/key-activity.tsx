/**
 * The API Keys table's "Verifications (7 days)" cell: the number, and beside it a sparkline of
 * one small bar per day, oldest first. Drawn on the server as plain markup, without any chart
 * code in the browser; the bars are decoration (aria-hidden), the number is what is read out.
 */
import type { KeyActivity } from '@/lib/usage/query';
import { countFormat } from './format';

export function KeyActivityCell({ activity }: { activity: KeyActivity }) {
  const peak = Math.max(...activity.daily);
  return (
    <div className="flex items-center gap-2 whitespace-nowrap">
      <span className="w-12 text-right tabular-nums text-zinc-900">{countFormat.format(activity.total)}</span>
      <span aria-hidden className="flex h-4 items-end gap-px" title={`Per day: ${activity.daily.join(', ')}`}>
        {activity.daily.map((count, day) => (
          <span
            key={day}
            className={count > 0 ? 'w-1 rounded-t-[1px] bg-zinc-500' : 'w-1 bg-zinc-200'}
            // At least 2 px high, so a quiet day still shows as a day.
            style={{ height: count > 0 && peak > 0 ? `${Math.max(2, Math.round((count / peak) * 16))}px` : '1px' }}
          />
        ))}
      </span>
    </div>
  );
}
