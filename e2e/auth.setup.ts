import { expect, test as setup } from '@playwright/test';
import { ADMIN_STATE, E2E_ADMIN } from './support/env';
import { recordSecret, signIn } from './support/seed';

setup('the first administrator signs in and lands on the API Keys page', async ({ page }) => {
  recordSecret(E2E_ADMIN.password);
  await signIn(page, E2E_ADMIN);
  await expect(page).toHaveURL(/\/projects\/default\/settings\/api-keys$/);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  await page.context().storageState({ path: ADMIN_STATE });
});
