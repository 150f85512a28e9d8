/**
 * The deployment's catalogue, chosen by KEYWARD_PERMISSIONS: unset or "diga", "retell", or a
 * path to a JSON file validated at start-up. A bad file stops start-up with a message naming
 * the file and the bad field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { catalogueSchema, type Catalogue } from './catalogue';
import { presets } from './presets';

export class CatalogueError extends Error {
  constructor(message: string) {
    super(`KEYWARD_PERMISSIONS: ${message}`);
    this.name = 'CatalogueError';
  }
}

export function parseCatalogue(json: unknown, source: string): Catalogue {
  const parsed = catalogueSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  throw new CatalogueError(`${source} is not a valid catalogue: ${details}`);
}

export function loadCatalogue(setting = process.env.KEYWARD_PERMISSIONS): Catalogue {
  const choice = setting?.trim() || 'diga';
  const preset = presets[choice];
  if (preset) return preset;
  const file = path.resolve(/* turbopackIgnore: true */ choice);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CatalogueError(
      `"${choice}" is neither a preset (${Object.keys(presets).join(', ')}) nor a readable file (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogueError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseCatalogue(json, file);
}

const globalForCatalogue = globalThis as unknown as { keywardCatalogue?: Catalogue };

/** The catalogue of this process, loaded once. */
export function activeCatalogue(): Catalogue {
  globalForCatalogue.keywardCatalogue ??= loadCatalogue();
  return globalForCatalogue.keywardCatalogue;
}

/** For tests: use this catalogue until reset with undefined. */
export function setActiveCatalogue(catalogue: Catalogue | undefined): void {
  globalForCatalogue.keywardCatalogue = catalogue;
}
