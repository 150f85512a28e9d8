/** Awaits a promise that must fail with a DomainError, and returns that error for inspection. */
import { expect } from 'vitest';
import { DomainError } from '@/lib/errors';

export async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}
