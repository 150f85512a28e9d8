'use client';
/**
 * The restricted-permissions grid shared by the create and edit dialogs: the catalogue's
 * categories as sections, one radio group per resource named by its label (an action-only
 * resource shows a dash where Read would be), and "All" buttons that set a whole category.
 * Also the "Restrict permissions" switch with its warning, and the form fields both dialogs hold.
 */
import { useId } from 'react';
import { z } from 'zod';
import { Alert } from '@/components/ui/alert';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import { Switch } from '@/components/ui/switch';
import { LEVELS, levelSchema, levelsOf, resourcesOf, type Catalogue, type CatalogueResource, type Level } from '@/lib/permissions/catalogue';
import { normalizeGrants, type Grants, type Permissions } from '@/lib/permissions/grants';

/** The fields a form holds for a key's access; the server re-validates levels against the catalogue. */
export const restrictionFields = { restricted: z.boolean(), permissions: z.record(z.string(), levelSchema) };
export type RestrictionValues = { restricted: boolean; permissions: Grants };

/** A form's starting values: full access as unrestricted with every level at "none". */
export function restrictionDefaults(catalogue: Catalogue, permissions: Permissions): RestrictionValues {
  return { restricted: permissions !== null, permissions: normalizeGrants(catalogue, permissions ?? {}) };
}

/** What create and update send: null for full access, else every resource's level. */
export function permissionsToSend(catalogue: Catalogue, values: RestrictionValues): Permissions {
  return values.restricted ? normalizeGrants(catalogue, values.permissions) : null;
}

/** The highest level a resource allows that does not exceed the one asked for. */
function clamp(resource: CatalogueResource, level: Level): Level {
  const allowed = levelsOf(resource).filter((l) => LEVELS.indexOf(l) <= LEVELS.indexOf(level));
  return allowed[allowed.length - 1] ?? 'none';
}

const COLUMNS = 'grid grid-cols-[minmax(0,1fr)_repeat(3,3.75rem)] items-center gap-x-1 sm:grid-cols-[minmax(0,1fr)_repeat(3,5rem)]';

type GridProps = { catalogue: Catalogue; value: Grants; onChange: (value: Grants) => void; disabled?: boolean };

export function PermissionsGrid({ catalogue, value, onChange, disabled }: GridProps) {
  const id = useId();
  const setAll = (resources: CatalogueResource[], level: Level) =>
    onChange({ ...value, ...Object.fromEntries(resources.map((resource) => [resource.id, clamp(resource, level)])) });

  return (
    <div className="rounded-md border border-zinc-200">
      <div aria-hidden className={`${COLUMNS} sticky -top-4 z-10 sm:-top-6 rounded-t-md border-b border-zinc-200 bg-zinc-50 px-3 py-2 text-xs font-medium text-zinc-600`}>
        <span>Resource</span>
        {LEVELS.map((level) => (
          <span key={level} className="text-center leading-tight">
            {catalogue.levelLabels[level]}
          </span>
        ))}
      </div>
      {catalogue.categories.map((category) => (
        <section key={category.id} aria-labelledby={`${id}-${category.id}`} className="border-b border-zinc-100 px-3 py-2 last:border-b-0">
          <div className={`${COLUMNS} py-1`}>
            <h3 id={`${id}-${category.id}`} className="text-sm font-semibold text-zinc-900">
              {category.label}
            </h3>
            {LEVELS.map((level) =>
              category.resources.some((resource) => levelsOf(resource).includes(level)) ? (
                <button
                  key={level}
                  type="button"
                  disabled={disabled}
                  onClick={() => setAll(category.resources, level)}
                  aria-label={`Set all ${category.label} to ${catalogue.levelLabels[level]}`}
                  title={`Set all ${category.label} to ${catalogue.levelLabels[level]}`}
                  className="justify-self-center rounded-full border border-zinc-200 px-2 py-0.5 text-xs text-zinc-600 hover:border-zinc-400 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-zinc-900 disabled:opacity-50"
                >
                  All
                </button>
              ) : (
                <span key={level} />
              ),
            )}
          </div>
          {category.resources.map((resource) => (
            <RadioGroup
              key={resource.id}
              aria-labelledby={`${id}-${resource.id}`}
              value={value[resource.id] ?? 'none'}
              onValueChange={(level) => onChange({ ...value, [resource.id]: levelSchema.parse(level) })}
              disabled={disabled}
              orientation="horizontal"
              className={`${COLUMNS} rounded py-1.5 hover:bg-zinc-50`}
            >
              <span id={`${id}-${resource.id}`} className="break-words pl-3 text-sm text-zinc-700">
                {resource.label}
              </span>
              {LEVELS.map((level) =>
                levelsOf(resource).includes(level) ? (
                  <RadioGroupItem key={level} value={level} aria-label={catalogue.levelLabels[level]} className="justify-self-center" />
                ) : (
                  <span key={level} className="text-center text-sm text-zinc-500" title={`${resource.label} is an action: it has no ${catalogue.levelLabels[level]} level`}>
                    <span aria-hidden>—</span>
                    <span className="sr-only">No {catalogue.levelLabels[level]} level</span>
                  </span>
                ),
              )}
            </RadioGroup>
          ))}
        </section>
      ))}
    </div>
  );
}

type RestrictionProps = {
  catalogue: Catalogue;
  value: RestrictionValues;
  onChange: (value: RestrictionValues) => void;
  disabled?: boolean;
  error?: string;
};

/** The "Restrict permissions" switch, the full-access warning, and the grid while restricted. */
export function RestrictionFields({ catalogue, value, onChange, disabled, error }: RestrictionProps) {
  const id = useId();
  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between gap-4">
        <div>
          <Label htmlFor={`${id}-restrict`}>Restrict permissions</Label>
          <p className="text-xs text-zinc-500">Choose, per resource, what this key may do.</p>
        </div>
        <Switch
          id={`${id}-restrict`}
          checked={value.restricted}
          onCheckedChange={(restricted) => onChange({ ...value, restricted })}
          disabled={disabled}
        />
      </div>
      {value.restricted ? (
        <PermissionsGrid catalogue={catalogue} value={value.permissions} onChange={(permissions) => onChange({ ...value, permissions })} disabled={disabled} />
      ) : (
        <Alert tone="warning">
          <strong className="font-semibold">Full access.</strong> An unrestricted key can read and change every resource in this project
          ({resourcesOf(catalogue).length} of them), so a leaked key is a serious security risk. Restrict it to what it needs.
        </Alert>
      )}
      {error ? <p className="text-sm text-red-600">{error}</p> : null}
    </div>
  );
}
