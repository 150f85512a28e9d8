'use client';
/** Refreshes the page's server data every few seconds while `active` (deliveries still under way). */
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

export function AutoRefresh({ active, everyMs = 2_000 }: { active: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs, router]);
  return null;
}
