import type { Metadata } from 'next';
import { cookies, headers } from 'next/headers';
import type { ReactNode } from 'react';
import { parseTheme, THEME_COOKIE } from '@/lib/ui/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Keyward', template: '%s · Keyward' },
  description: 'API keys for your project: create, restrict, rotate and verify.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request, so each gets its own CSP nonce (proxy.ts).
  await headers();
  // The theme is on the server's first answer: no flash of the other one before a script runs.
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme}>
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
