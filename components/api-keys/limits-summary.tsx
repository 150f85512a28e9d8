/**
 * A key's limits beside its permissions in the keys table: a "Limited" badge when it has any,
 * and the uses left when it has a usage limit. Read from the row the page already loaded.
 */
import { Badge } from '@/components/ui/badge';
import type { KeyLimitsJson } from '@/lib/limits/schemas';
import { hasLimits, rateLimitText, usesLeftText } from './limit-text';

/** The badge's tooltip: which limits the key has. */
function limitsTitle({ allowedAddresses, rateLimit, usage }: KeyLimitsJson): string {
  return [
    allowedAddresses ? `Allowed from ${allowedAddresses.length === 1 ? '1 address or range' : `${allowedAddresses.length} addresses or ranges`}` : null,
    rateLimit ? rateLimitText(rateLimit) : null,
    usage ? usesLeftText(usage.remaining) : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function LimitsSummary({ limits }: { limits: KeyLimitsJson }) {
  if (!hasLimits(limits)) return null;
  return (
    <span className="inline-flex items-center gap-1.5 whitespace-nowrap">
      <Badge title={limitsTitle(limits)}>Limited</Badge>
      {limits.usage ? <span className="text-xs text-zinc-600">{usesLeftText(limits.usage.remaining)}</span> : null}
    </span>
  );
}
