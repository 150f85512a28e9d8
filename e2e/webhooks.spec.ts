/**
 * Settings › Webhooks through the console's contract names: an endpoint pointing at a receiver
 * this test runs, a test event waiting for a webhook key and then delivered, signatures checked
 * by the published Retell SDK and Standard Webhooks libraries on the receiving side.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import Retell from 'retell-sdk';
import { Webhook } from 'standardwebhooks';
import { createKeys, seedProject, seedUser, signIn } from './support/seed';

type Received = { type: string; id: string; retell: boolean; standard: boolean };

/** A receiver as a customer would write one; `key` is set once the webhook key is known. */
async function startReceiver() {
  const state = { key: '', received: [] as Received[] };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const retell = await Retell.verify(body, state.key, String(request.headers['x-keyward-signature'] ?? ''));
      let standard = true;
      try {
        new Webhook(Buffer.from(state.key, 'utf8').toString('base64')).verify(body, request.headers as Record<string, string>);
      } catch {
        standard = false;
      }
      state.received.push({ type: (JSON.parse(body) as { type: string }).type, id: String(request.headers['webhook-id']), retell, standard });
      response.writeHead(retell && standard ? 200 : 400, { 'content-type': 'text/plain' }).end(retell && standard ? 'thanks' : 'bad signature');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keyward-hooks`;
  return { state, url, stop: () => new Promise((resolve) => server.close(resolve)) };
}

function deliveryRows(page: Page, event: string) {
  return page.getByRole('table').getByRole('row').filter({ hasText: event });
}

test('an endpoint receives a signed test event once the project has a webhook key', async ({ page }) => {
  const receiver = await startReceiver();
  try {
    const project = await seedProject();
    const admin = await seedUser(project.slug, 'admin');
    const [signer] = await createKeys(project.slug, 'Signer', 1);
    receiver.state.key = signer!.secret;
    const path = `/projects/${project.slug}/settings/webhooks`;
    await signIn(page, admin, `/login?callbackUrl=${path}`);
    await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Project settings' }).getByRole('link', { name: 'Webhooks' })).toHaveAttribute('aria-current', 'page');

    // No webhook key yet: the page says so and where to choose one.
    await expect(page.getByText(/no webhook key/i).first()).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'API Keys' })).toHaveAttribute('href', `/projects/${project.slug}/settings/api-keys`);
    await expect(page.getByRole('button', { name: 'Send test event' })).toBeDisabled();

    // A metadata address is refused with the reason.
    await page.getByLabel('Endpoint URL').fill('http://169.254.169.254/latest/meta-data/');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText(/never sent there/).first()).toBeVisible();

    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await expect(page.getByRole('checkbox', { name: /Key created/ })).toBeChecked();
    await expect(page.getByRole('switch', { name: 'Enabled' })).toBeChecked();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Endpoint saved.')).toBeVisible();

    await page.getByRole('button', { name: 'Send test event' }).click();
    await expect(deliveryRows(page, 'Test event')).toContainText('No webhook key');
    expect(receiver.state.received).toHaveLength(0);

    // Choosing the webhook key releases the waiting event.
    await page.getByRole('main').getByRole('link', { name: 'API Keys' }).click();
    await page.getByRole('button', { name: 'Actions for Signer' }).click();
    await page.getByRole('menuitem', { name: 'Set as webhook key' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Signer' })).toContainText('Webhook key');
    await page.getByRole('navigation', { name: 'Project settings' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByText(/Deliveries are signed with the webhook key/)).toContainText('Signer');
    await expect(deliveryRows(page, 'Test event')).toContainText('Delivered', { timeout: 15_000 });
    await expect(deliveryRows(page, 'Webhook key changed')).toContainText('Delivered', { timeout: 15_000 });

    // A second test event goes out at once, and the table shows the answer.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await expect(deliveryRows(page, 'Test event')).toHaveCount(2);
    const newest = deliveryRows(page, 'Test event').first();
    await expect(newest).toContainText('Delivered', { timeout: 15_000 });
    await expect(newest).toContainText('200');
    // The receiver is on a private address (127.0.0.1): its status shows, its answer does not.
    await expect(newest).not.toContainText('thanks');
    await expect(newest).toContainText(/\d+ ms/);

    expect(receiver.state.received.map((r) => r.type).sort()).toEqual(['webhook.test', 'webhook.test', 'webhook_key.changed']);
    expect(receiver.state.received.every((r) => r.retell && r.standard)).toBe(true);
    expect(new Set(receiver.state.received.map((r) => r.id)).size).toBe(3);

    // The settings are kept.
    await page.reload();
    await expect(page.getByLabel('Endpoint URL')).toHaveValue(receiver.url);
  } finally {
    await receiver.stop();
  }
});

test('a member sees that only administrators can manage webhooks', async ({ page }) => {
  const project = await seedProject();
  const member = await seedUser(project.slug, 'member');
  const path = `/projects/${project.slug}/settings/webhooks`;
  await signIn(page, member, `/login?callbackUrl=${path}`);
  await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
  await expect(page.getByText('Only administrators can manage webhooks')).toBeVisible();
  await expect(page.getByLabel('Endpoint URL')).toHaveCount(0);
});

test('someone outside the project gets 404 for its webhooks', async ({ page }) => {
  const theirs = await seedProject();
  const other = await seedProject();
  const outsider = await seedUser(other.slug, 'admin');
  await signIn(page, outsider);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  const response = await page.goto(`/projects/${theirs.slug}/settings/webhooks`);
  expect(response?.status()).toBe(404);
});
