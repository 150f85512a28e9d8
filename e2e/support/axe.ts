/**
 * Accessibility checks in the browser tests: @axe-core/playwright on the whole page,
 * limited to the WCAG 2.1 A and AA rules, reporting the serious and critical violations. The
 * console's Content-Security-Policy admits only its own nonce'd scripts, so a spec that uses this
 * sets `test.use({ bypassCSP: true })`.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** WCAG 2.0 and 2.1, levels A and AA: the rules the console promises to pass. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export type SeriousViolation = { id: string; impact: string | null; help: string; targets: string[] };

/** The page's serious and critical axe violations under WCAG 2.1 AA, each with the elements it found. */
export async function seriousViolations(page: Page): Promise<SeriousViolation[]> {
  // Legacy mode runs axe in the page in one go; the default finishes each run in a new blank page,
  // which costs twice the time and is only needed for cross-origin frames (the console has none).
  const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).withTags(WCAG_21_AA).setLegacyMode(true).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact: impact ?? null,
      help,
      // What axe saw, so a failure reads without a trace: the element and, for contrast, the colours.
      targets: nodes.map((node) => `${JSON.stringify(node.target)} ${node.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`.trim()),
    }));
}

/** Fails the test with the violations listed, if there are any. */
export async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  expect(await seriousViolations(page), `axe on ${where}`).toEqual([]);
}
