'use client';
/**
 * Copy to the clipboard with feedback: "Copied" for two seconds, or, where there is no
 * clipboard (an insecure origin, a denied permission), the text selected for a manual copy.
 */
import { useEffect, useState } from 'react';

export type CopyState = 'copied' | 'select' | null;

export function useCopy() {
  const [state, setState] = useState<CopyState>(null);

  useEffect(() => {
    if (state !== 'copied') return;
    const timer = setTimeout(() => setState(null), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy(text: string, field: HTMLInputElement | HTMLTextAreaElement | null) {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      field?.focus();
      field?.select();
      setState('select');
    }
  }

  return { state, copy };
}

/** The announcement under a copy button. */
export function CopyFeedback({ state }: { state: CopyState }) {
  return (
    <p aria-live="polite" className="mt-1 min-h-4 text-xs text-zinc-600">
      {state === 'copied' ? 'Copied to the clipboard.' : state === 'select' ? 'Selected: press Ctrl+C (⌘C on a Mac) to copy.' : ''}
    </p>
  );
}
