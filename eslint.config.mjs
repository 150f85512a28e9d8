import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

/**
 * Module boundaries, by import path: every import across folders is written `@/…` (a parent
 * `../` import is refused so none slips past). The layers, top to bottom:
 * - app (pages, route handlers, server actions) and components use lib; lib never imports app
 *   or components.
 * - Server actions live beside their page (`app/…/actions.ts`). A component may import a
 *   page's `actions` module and nothing else of app: no page, layout or route handler.
 * - components import lib, components and those actions, never db or the tools around the app.
 * - db is the bottom: of lib it reads only configuration (lib/config) at run time, and a
 *   column may name a type (db/schema.ts: a key's grants, from lib/permissions).
 */
const parentImport = { regex: '^\\.\\./', message: "Import across folders by '@/…': the module boundaries are checked on that path." };
const outsideApp = { regex: '^@/(bench|e2e|faults|scripts)(/|$)', message: 'The app does not import the tools around it.' };
const notAppOrComponents = (layer) => ({ regex: '^@/(app|components)(/|$)', message: `${layer} never imports app or components.` });
const boundary = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns: [parentImport, ...patterns] }] });

const boundaries = [
  {
    files: ['lib/**/*.{ts,tsx}'],
    ignores: ['lib/**/*.test.ts'],
    rules: boundary(outsideApp, notAppOrComponents('lib')),
  },
  {
    // A test in lib may drive the REST API's route handlers end to end.
    files: ['lib/**/*.test.ts'],
    rules: boundary({ regex: '^@/(components(/|$)|app/(?!api/))', message: 'A lib test imports nothing of app but its route handlers (app/api), nothing of components.' }),
  },
  {
    files: ['components/**/*.{ts,tsx}'],
    rules: boundary(
      outsideApp,
      { regex: '^@/app/(?!(.+/)?actions$)', message: "A component imports nothing of app but a page's server actions (app/…/actions)." },
      { regex: '^@/db(/|$)', message: 'Components never import db: they call lib or a server action.' },
    ),
  },
  {
    files: ['db/**/*.ts'],
    rules: boundary(
      outsideApp,
      notAppOrComponents('db'),
      { regex: '^@/lib/(?!config/|permissions/)', message: 'db imports nothing from lib but configuration (lib/config).' },
      { regex: '^@/lib/permissions/', allowTypeImports: true, message: 'db imports only types from lib/permissions, for a column.' },
    ),
  },
];

const config = [
  ...nextVitals,
  ...nextTypescript,
  {
    // Resolving into node_modules is all the cycle check needs there; parsing it only costs time.
    settings: { 'import/ignore': ['node_modules'] },
    rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...boundaries,
  { ignores: ['.next/**', 'dist/**', 'node_modules/**', 'db/migrations/**', 'playwright-report/**', 'test-results/**', 'next-env.d.ts'] },
];

export default config;
