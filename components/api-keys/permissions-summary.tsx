/**
 * A key's permissions in one table cell: "Full access", or a "Restricted" button that opens the
 * resources the key may reach, at the catalogue's level labels (resources at "none" left out).
 * The panel is a native popover — declarative HTML, so it works without JavaScript, and in the
 * top layer, so the table's scrolling frame cannot clip it. It sits under its button where the
 * browser has anchor positioning and in the middle of the window where it has not.
 */
import { Badge } from '@/components/ui/badge';
import type { Catalogue } from '@/lib/permissions/catalogue';
import type { Permissions } from '@/lib/permissions/grants';

const anchored =
  'supports-[position-area:bottom]:inset-auto supports-[position-area:bottom]:[margin:4px_0] supports-[position-area:bottom]:[position-area:bottom_span-left] supports-[position-area:bottom]:[position-try-fallbacks:flip-block]';

export function PermissionsSummary({ keyId, catalogue, permissions }: { keyId: string; catalogue: Catalogue; permissions: Permissions }) {
  if (permissions === null) {
    return (
      <Badge tone="warning" title="Unrestricted: this key can read and write every resource">
        Full access
      </Badge>
    );
  }
  const granted = catalogue.categories
    .map((category) => ({ ...category, resources: category.resources.filter((resource) => (permissions[resource.id] ?? 'none') !== 'none') }))
    .filter((category) => category.resources.length > 0);
  const count = granted.reduce((sum, category) => sum + category.resources.length, 0);
  const all = catalogue.categories.reduce((sum, category) => sum + category.resources.length, 0);
  const id = `permissions-${keyId}`;

  return (
    <>
      <button
        type="button"
        popoverTarget={id}
        style={{ anchorName: `--${id}` }}
        className="inline-flex items-center gap-1 whitespace-nowrap rounded-full border border-zinc-200 bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-700 hover:bg-zinc-200 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-zinc-900"
      >
        Restricted
        <svg aria-hidden viewBox="0 0 16 16" className="size-3" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M4 6l4 4 4-4" />
        </svg>
      </button>
      <div
        id={id}
        popover="auto"
        style={{ positionAnchor: `--${id}` }}
        className={`w-64 rounded-lg border border-zinc-200 bg-white p-3 text-xs text-zinc-700 shadow-lg ${anchored}`}
      >
        <p className="font-medium text-zinc-900">{count === 0 ? 'No access to any resource' : `Access to ${count} of ${all} resources`}</p>
        {granted.map((category) => (
          <div key={category.id} className="mt-2">
            <p className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">{category.label}</p>
            <ul className="mt-0.5 space-y-0.5">
              {category.resources.map((resource) => {
                const level = permissions[resource.id] ?? 'none';
                return (
                  <li key={resource.id} className="flex justify-between gap-3">
                    <span>{resource.label}</span>
                    <span className={level === 'write' ? 'font-medium text-zinc-900' : 'text-zinc-500'}>{catalogue.levelLabels[level]}</span>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </div>
    </>
  );
}
