import type { ReactNode } from 'react';
import { SettingsNav } from '@/components/shell/settings-nav';

export default async function SettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-6 px-6 py-8 md:flex-row">
      <aside className="md:w-48 md:shrink-0">
        <p className="mb-2 px-3 text-xs font-semibold uppercase tracking-wide text-zinc-500">Settings</p>
        <SettingsNav slug={slug} />
      </aside>
      <main className="min-w-0 flex-1">{children}</main>
    </div>
  );
}
