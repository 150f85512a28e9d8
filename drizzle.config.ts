import { defineConfig } from 'drizzle-kit';

// Migrations are generated from db/schema.ts and applied by db/migrate.ts at start-up.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
});
