'use client';
/**
 * What a page shows when rendering it failed on the server — most often because the database
 * cannot be reached. Production builds hide the cause; the message says what to try.
 */
import { Button } from '@/components/ui/button';

export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-md flex-col justify-center px-6">
      <h1 className="text-xl font-semibold">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-zinc-600">
        Keyward could not finish this request. If it keeps happening, Keyward may not be able to reach its database; its operator can
        check <code>/api/health/ready</code>. Nothing you were doing was half-saved.
      </p>
      <div className="mt-4">
        <Button onClick={reset}>Try again</Button>
      </div>
    </main>
  );
}
