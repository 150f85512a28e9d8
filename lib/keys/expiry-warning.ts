/**
 * When a key's coming expiry is worth a warning: within KEYWARD_EXPIRY_WARNING_DAYS (7) days. The
 * table, the key's page, the API Keys banner and the `api_key.expiring` notices all ask here.
 */
import { positiveIntFromEnv } from '@/lib/config/env';

export { DAY_MS, expiresInDays } from './expiry-days';

export function expiryWarningDays(): number {
  return positiveIntFromEnv('KEYWARD_EXPIRY_WARNING_DAYS', 7);
}
