'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/ui/cn';

const sections = [
  { segment: 'api-keys', label: 'API Keys' },
  { segment: 'usage', label: 'Usage' },
  { segment: 'webhooks', label: 'Webhooks' },
  { segment: 'team', label: 'Team' },
  { segment: 'audit-log', label: 'Audit log' },
  { segment: 'general', label: 'General' },
] as const;

export function SettingsNav({ slug }: { slug: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Project settings" className="flex flex-row gap-1 md:flex-col">
      {sections.map(({ segment, label }) => {
        const href = `/projects/${slug}/settings/${segment}`;
        // A key's page sits under API Keys: the section stays marked, though not as the page itself.
        const active = pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={segment}
            href={href}
            aria-current={pathname === href ? 'page' : active ? 'true' : undefined}
            className={cn('rounded-md px-3 py-2 text-sm', active ? 'bg-zinc-200 font-medium' : 'text-zinc-700 hover:bg-zinc-100')}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
