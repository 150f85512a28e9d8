import { expect, it } from 'vitest';
import { openDatabase, setDatabase } from '@/db/client';
import { describeEachDatabase } from '@/lib/testing/databases';
import { pingDatabase } from './health';

describeEachDatabase('readiness', () => {
  it('is ready while the database answers', async () => {
    expect(await pingDatabase()).toBe(true);
  });
});

it('is not ready when the database cannot be reached', async () => {
  // Nothing listens on port 1; the driver fails to connect.
  const unreachable = openDatabase({ driver: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', max: 1 });
  setDatabase(unreachable);
  try {
    expect(await pingDatabase(3000)).toBe(false);
  } finally {
    setDatabase(undefined);
    await unreachable.close();
  }
});
