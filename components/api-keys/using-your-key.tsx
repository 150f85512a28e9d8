'use client';
/**
 * "Using your key": how a service checks a key, as a curl call to this deployment's verify
 * endpoint that can be copied. The key itself is never in it: the call reads it from the
 * environment variable KEYWARD_API_KEY.
 */
import { useRef } from 'react';
import { Button } from '@/components/ui/button';
import { CopyFeedback, useCopy } from '@/components/ui/use-copy';

export function verifyCurl(baseUrl: string, resource: string | undefined): string {
  const require = resource ? `, \\"require\\": {\\"${resource}\\": \\"read\\"}` : '';
  return [
    `curl -sS -X POST ${baseUrl}/api/v1/keys/verify \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d "{\\"key\\": \\"$KEYWARD_API_KEY\\"${require}}"`,
  ].join('\n');
}

export function UsingYourKey({ baseUrl, resource }: { baseUrl: string; resource: string | undefined }) {
  const snippet = verifyCurl(baseUrl, resource);
  const field = useRef<HTMLTextAreaElement>(null);
  const { state, copy } = useCopy();
  return (
    <details className="rounded-lg border border-zinc-200 bg-white px-4 py-3 text-sm">
      <summary className="cursor-pointer font-medium text-zinc-900">Using your key</summary>
      <p className="mt-2 text-zinc-600">
        Your services check a key with one call. The answer says whether it is valid and what it may do:{' '}
        <code className="text-xs">{'{"valid": true, "code": "VALID", "keyId": …, "permissions": …}'}</code>. Keys travel only in request
        bodies or the <code className="text-xs">Authorization</code> header, never in URLs.
      </p>
      <label htmlFor="verify-curl" className="mt-3 block text-xs font-medium text-zinc-700">
        Verify a key with curl
      </label>
      <div className="mt-1 flex items-start gap-2">
        <textarea
          ref={field}
          id="verify-curl"
          readOnly
          rows={3}
          value={snippet}
          spellCheck={false}
          className="w-full resize-none rounded-md border border-zinc-300 bg-zinc-50 px-3 py-2 font-mono text-xs text-zinc-800"
        />
        <Button variant="secondary" onClick={() => copy(snippet, field.current)} className="w-24 shrink-0">
          {state === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <CopyFeedback state={state} />
      <p className="text-xs text-zinc-500">
        The full API, for managing keys with a key that holds the API Keys permission, is described at{' '}
        <a className="underline" href={`${baseUrl}/api/v1/openapi.json`}>
          /api/v1/openapi.json
        </a>
        .
      </p>
    </details>
  );
}
