'use client';
/**
 * The endpoint settings: "Endpoint URL", one checkbox per event, the "Enabled" switch and
 * "Save". Checked with the server's own schema before sending; the server also checks where the
 * URL points (metadata and, if configured, private addresses are refused) and says why.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { z } from 'zod';
import { saveEndpointAction } from '@/app/projects/[slug]/settings/webhooks/actions';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Switch } from '@/components/ui/switch';
import { reach } from '@/lib/ui/reach';
import { EVENT_LABELS, WEBHOOK_EVENTS, type WebhookEvent } from '@/lib/webhooks/events';
import { saveEndpointInput } from '@/lib/webhooks/schemas';

type Values = { url: string; events: WebhookEvent[]; enabled: boolean };

export function EndpointForm({ slug, initial }: { slug: string; initial: Values | null }) {
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>();
  const form = useForm<z.input<typeof saveEndpointInput>, unknown, z.output<typeof saveEndpointInput>>({
    resolver: zodResolver(saveEndpointInput),
    defaultValues: initial ?? { url: '', events: [...WEBHOOK_EVENTS], enabled: true },
  });
  const urlError = form.formState.errors.url?.message;
  const eventsError = form.formState.errors.events?.message;

  const onSubmit = form.handleSubmit(async (values) => {
    setMessage(undefined);
    const result = await reach(saveEndpointAction(slug, values));
    if (result.ok) {
      form.reset({ url: result.data.url, events: result.data.events, enabled: result.data.enabled });
      setMessage({ tone: 'info', text: 'Endpoint saved.' });
      return;
    }
    for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
      if (field === 'url' || field === 'events') form.setError(field, { message: messages.join(' ') });
    }
    setMessage({ tone: 'error', text: result.error });
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div>
        <Label htmlFor="endpoint-url">Endpoint URL</Label>
        <Input
          id="endpoint-url"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://example.com/webhooks/keyward"
          className="mt-1"
          aria-invalid={urlError ? true : undefined}
          aria-describedby={urlError ? 'endpoint-url-error' : 'endpoint-url-hint'}
          {...form.register('url')}
        />
        {urlError ? (
          <FieldError id="endpoint-url-error" messages={urlError} />
        ) : (
          <p id="endpoint-url-hint" className="mt-1 text-sm text-zinc-500">
            Keyward POSTs JSON here. Redirects are not followed; an answer other than 2xx within 10 seconds is retried for up to a day.
          </p>
        )}
      </div>
      <fieldset aria-describedby={eventsError ? 'endpoint-events-error' : undefined}>
        <legend className="text-sm font-medium text-zinc-800">Events</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} className="flex items-start gap-2 text-sm text-zinc-800">
              <input type="checkbox" value={event} className="mt-0.5 size-4 accent-zinc-900" {...form.register('events')} />
              <span>
                {EVENT_LABELS[event]} <code className="text-xs text-zinc-500">{event}</code>
              </span>
            </label>
          ))}
        </div>
        <FieldError id="endpoint-events-error" messages={eventsError} />
      </fieldset>
      <div className="flex items-center gap-3">
        <Controller
          control={form.control}
          name="enabled"
          render={({ field }) => <Switch id="endpoint-enabled" checked={field.value} onCheckedChange={field.onChange} onBlur={field.onBlur} />}
        />
        <Label htmlFor="endpoint-enabled">Enabled</Label>
      </div>
      <Button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? 'Saving…' : 'Save'}
      </Button>
    </form>
  );
}
