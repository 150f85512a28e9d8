import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '@/db/client';
import { describeEachDatabase } from '@/lib/testing/databases';

describeEachDatabase('the table the exchange updates in place', (current) => {
  it('leaves room on each page of api_keys for a row’s new version (fillfactor 70, migration 0019)', async () => {
    const rows = await queryRows<{ options: string[] | null }>(current().db, sql`select reloptions as options from pg_class where relname = 'api_keys'`);
    expect(rows).toEqual([{ options: ['fillfactor=70'] }]);
  });
});
