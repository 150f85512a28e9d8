/**
 * Accessibility checks in the browser tests: axe-core, injected from node_modules into the page
 * under test and run on the whole document. The console's Content-Security-Policy admits only
 * its own nonce'd scripts, so a spec that uses this sets `test.use({ bypassCSP: true })`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

let source: string | undefined;
const axeSource = () => (source ??= readFileSync(path.join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));

type Violation = { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] };

/** The page's serious and critical axe violations, each with the elements it found. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; targets: string[] }[]> {
  await page.evaluate(axeSource());
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.map((node) => JSON.stringify(node.target)) }));
}

/** Fails the test with the violations listed, if there are any. */
export async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  expect(await seriousViolations(page), `axe on ${where}`).toEqual([]);
}
