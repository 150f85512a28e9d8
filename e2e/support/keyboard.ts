/**
 * Driving the console with the keyboard alone, as the keyboard tests do: no click, no focus()
 * from the test. Each control is reached by pressing Tab (or an arrow inside a menu or a radio
 * group) as a person would, and must show that it has the focus when it gets there.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { SeededUser } from './seed';

/** Whether the element draws a focus indicator: an outline or a ring (box-shadow). */
export async function expectFocusRing(target: Locator): Promise<void> {
  const drawn = await target.evaluate((element) => {
    const style = getComputedStyle(element);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  });
  expect(drawn, `a visible focus indicator on ${target}`).toBe(true);
}

const isFocused = (target: Locator) => target.evaluate((element) => element === document.activeElement);

/** Presses `key` until `target` has the focus (at most `max` times), then checks its focus ring. */
export async function pressUntilFocused(page: Page, key: string, target: Locator, max = 80): Promise<void> {
  for (let presses = 0; presses < max && !(await isFocused(target)); presses++) await page.keyboard.press(key);
  await expect(target).toBeFocused();
}

/** Tabs forward to `target`, which must then show a focus ring. */
export async function tabTo(page: Page, target: Locator, max?: number): Promise<void> {
  await pressUntilFocused(page, 'Tab', target, max);
  await expectFocusRing(target);
}

/** Moves down an open menu to `item` (menu items show focus by their highlight). */
export async function arrowTo(page: Page, item: Locator): Promise<void> {
  await pressUntilFocused(page, 'ArrowDown', item, 12);
  await expect(item).toHaveAttribute('data-highlighted', '');
}

/** Signs in through the form with keys only, landing on `callbackUrl`. */
export async function signInByKeyboard(page: Page, user: SeededUser, callbackUrl: string): Promise<void> {
  await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type(user.email);
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`${callbackUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
}
