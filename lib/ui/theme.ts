/**
 * The console's colour theme: "system" follows the browser's prefers-color-scheme, "light" and
 * "dark" override it. The choice lives in a cookie (not secret, no session in it), which the root
 * layout reads on the server into `<html data-theme>`, so the first paint already wears it; the
 * dark variant in app/globals.css keys off that attribute. Used on the server and in the browser.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_COOKIE = 'keyward-theme';
const ONE_YEAR_SECONDS = 365 * 86_400;

/** The theme a cookie value names; anything else (none, tampered) is "system". */
export function parseTheme(value: string | undefined): Theme {
  return THEMES.find((theme) => theme === value) ?? 'system';
}

/** In the browser: wears the theme at once and remembers it for every later page. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${THEME_COOKIE}=${theme}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax${secure}`;
}
