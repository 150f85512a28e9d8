/**
 * Audit events as a table, newest first as given: time (UTC), actor, action, target, client
 * address and details, read as a list (./details.ts) that wraps rather than clips. The audit log
 * shows every column; a key's history leaves out the target, which is the key itself. Markup
 * only: rendered on the server.
 */
import type { AuditEventJson } from '@/lib/audit/list';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { auditDetails } from './details';

const time = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

function Details({ event, catalogue }: { event: AuditEventJson; catalogue: Catalogue }) {
  const lines = auditDetails(event, catalogue);
  if (lines.length === 0) return <span aria-label="No details">—</span>;
  return (
    <ul className="space-y-0.5">
      {lines.map((line, index) => (
        <li key={index}>
          <span className="font-medium text-zinc-800">{line.label}:</span> {line.text}
        </li>
      ))}
    </ul>
  );
}

function actorKind(event: AuditEventJson): string {
  if (event.actorType === 'api_key') return `API key ${event.actorId}`;
  return event.actorType === 'system' ? 'Operator CLI' : 'User';
}

const head = 'px-4 py-2 font-medium';

type Props = { events: AuditEventJson[]; caption: string; catalogue: Catalogue; showTarget?: boolean };

export function AuditEventsTable({ events, caption, catalogue, showTarget = true }: Props) {
  return (
    // Wider than a narrow page: focusable and named, so that a keyboard can scroll it sideways.
    <div role="region" aria-label={caption} tabIndex={0} className="overflow-x-auto rounded-lg border border-zinc-200 bg-white focus-visible:outline-2 focus-visible:outline-zinc-900">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500">
          <tr>
            {/* Not "Time": on a key's page that names the usage table's column (DESIGN.md, console contract). */}
            <th scope="col" className={head}>When</th>
            <th scope="col" className={head}>Actor</th>
            <th scope="col" className={head}>Action</th>
            {showTarget ? <th scope="col" className={head}>Target</th> : null}
            <th scope="col" className={head}>Client address</th>
            <th scope="col" className={head}>Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id} className="border-b border-zinc-100 align-top last:border-b-0">
              <td className="whitespace-nowrap px-4 py-2 text-zinc-600">
                <time dateTime={event.createdAt}>{time.format(new Date(event.createdAt))}</time>
              </td>
              <td className="px-4 py-2">
                {event.actorLabel}
                <span className="block text-xs text-zinc-500">{actorKind(event)}</span>
              </td>
              <td className="px-4 py-2">
                <code className="text-xs">{event.action}</code>
              </td>
              {showTarget ? (
                <td className="px-4 py-2">
                  <code className="text-xs">{event.targetId ?? event.targetType}</code>
                </td>
              ) : null}
              <td className="px-4 py-2 text-zinc-600">{event.clientAddress ?? '—'}</td>
              {/* Wide enough to read, and long values (URLs, ids) wrap anywhere rather than being cut. */}
              <td className="min-w-64 px-4 py-2 text-xs text-zinc-600 [overflow-wrap:anywhere]">
                <Details event={event} catalogue={catalogue} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
