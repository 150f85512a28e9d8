/**
 * A restricted key's permissions in full, read-only: the create dialog's grid (the catalogue's
 * categories, one row per resource, a column per level) as a table, with the level held marked.
 * A screen reader hears the level's label in the marked cell. Markup only: rendered on the server.
 */
import { LEVELS, levelsOf, type Catalogue } from '@/lib/permissions/catalogue';
import type { Grants } from '@/lib/permissions/grants';

export function PermissionsTable({ catalogue, grants, caption }: { catalogue: Catalogue; grants: Grants; caption: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium text-zinc-600">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">
              Resource
            </th>
            {LEVELS.map((level) => (
              <th key={level} scope="col" className="w-24 px-2 py-2 text-center font-medium">
                {catalogue.levelLabels[level]}
              </th>
            ))}
          </tr>
        </thead>
        {catalogue.categories.map((category) => (
          <tbody key={category.id} className="border-b border-zinc-100 last:border-b-0">
            <tr>
              <th scope="rowgroup" colSpan={LEVELS.length + 1} className="px-3 pb-1 pt-3 text-sm font-semibold text-zinc-900">
                {category.label}
              </th>
            </tr>
            {category.resources.map((resource) => {
              const held = grants[resource.id] ?? 'none';
              return (
                <tr key={resource.id}>
                  <th scope="row" className="py-1.5 pl-6 pr-3 font-normal text-zinc-700">
                    {resource.label}
                  </th>
                  {LEVELS.map((level) => (
                    <td key={level} className="px-2 py-1.5 text-center">
                      {!levelsOf(resource).includes(level) ? (
                        <span className="text-zinc-500" title={`${resource.label} is an action: it has no ${catalogue.levelLabels[level]} level`}>
                          <span aria-hidden>—</span>
                          <span className="sr-only">No {catalogue.levelLabels[level]} level</span>
                        </span>
                      ) : level === held ? (
                        <>
                          <span aria-hidden className="inline-block size-3.5 rounded-full border-4 border-zinc-900 align-middle" />
                          <span className="sr-only">{catalogue.levelLabels[level]}</span>
                        </>
                      ) : (
                        <span aria-hidden className="inline-block size-3.5 rounded-full border border-zinc-300 align-middle" />
                      )}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        ))}
      </table>
    </div>
  );
}
