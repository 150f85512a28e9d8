import { expect, test } from '@playwright/test';
import { ADMIN_STATE } from './support/env';
import { seedProject, seedUser, setRole, signIn } from './support/seed';

test.describe('the first administrator', () => {
  test.use({ storageState: ADMIN_STATE });

  test('goes from / to the default project’s API Keys page, with the shell around it', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/projects\/default\/settings\/api-keys$/);
    await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Project settings' }).getByRole('link', { name: 'API Keys' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    await page.getByRole('button', { name: 'User menu' }).click();
    await expect(page.getByRole('menu')).toContainText('admin@e2e.test');
  });
});

test('a member sees that only administrators can manage API keys', async ({ page }) => {
  const project = await seedProject();
  const member = await seedUser(project.slug, 'member');
  await signIn(page, member);
  await expect(page).toHaveURL(new RegExp(`/projects/${project.slug}/settings/api-keys$`));
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  await expect(page.getByText('Only administrators can manage API keys')).toBeVisible();
});

test('someone outside a project gets 404 for its pages', async ({ page }) => {
  const theirs = await seedProject();
  const other = await seedProject();
  const outsider = await seedUser(other.slug, 'admin');
  await signIn(page, outsider);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();

  for (const path of [`/projects/${theirs.slug}/settings/api-keys`, `/projects/${theirs.slug}/settings/general`, '/projects/no-such-project/settings/api-keys']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  }
});

test('the project switcher lists the user’s projects and moves between them', async ({ page }) => {
  const first = await seedProject();
  const second = await seedProject();
  const admin = await seedUser(first.slug, 'admin');
  await setRole(admin.email, second.slug, 'member');
  await signIn(page, admin, `/login?callbackUrl=/projects/${first.slug}/settings/api-keys`);

  await page.getByRole('button', { name: `Project: ${first.name}. Switch project` }).click();
  await page.getByRole('menuitem', { name: second.name }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${second.slug}/settings/api-keys$`));
  await expect(page.getByText('Only administrators can manage API keys')).toBeVisible();
});

test('an admin demoted while the page is open is refused on the next action, and nothing changes', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  // Someone stays administrator: the CLI, like the console, keeps a project's last one.
  await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/general`);
  await expect(page.getByLabel('Project name')).toHaveValue(project.name);

  // An admin may rename while they are one.
  await page.getByLabel('Project name').fill(`${project.name} (renamed)`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Project name saved.')).toBeVisible();
  // The saved message shows as soon as the action answers; the page it revalidated is still
  // being rendered and streamed then, and a demotion made now would land in that render. Load
  // the page afresh, so the page open when the demotion happens is an admin's, settled.
  await page.reload();
  await expect(page.getByLabel('Project name')).toHaveValue(`${project.name} (renamed)`);

  await setRole(admin.email, project.slug, 'member');
  await page.getByLabel('Project name').fill('Taken over');
  await page.getByRole('button', { name: 'Save' }).click();
  // Refused: the form says so, or the page, refreshed as a member's, has already replaced it.
  await expect(
    page.getByRole('alert').filter({ hasText: 'Only administrators can manage this project.' }).or(page.getByText('Only administrators can change project settings.')),
  ).toBeVisible();

  await page.reload();
  await expect(page.getByText('Only administrators can change project settings.')).toBeVisible();
  await expect(page.getByRole('button', { name: `Project: ${project.name} (renamed). Switch project` })).toBeVisible();
});
