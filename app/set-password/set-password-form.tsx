'use client';
/**
 * Reads the token from the link's fragment (never sent to any server with the page request),
 * removes it from the address bar, and sends it with the new password to the server action.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { setPasswordWithTokenInput } from '@/lib/team/schemas';
import { reach } from '@/lib/ui/reach';
import { setPasswordAction } from './actions';

type Values = z.input<typeof setPasswordWithTokenInput>;

export function SetPasswordForm() {
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const form = useForm<Values, unknown, z.output<typeof setPasswordWithTokenInput>>({
    resolver: zodResolver(setPasswordWithTokenInput),
    defaultValues: { token: '', password: '', confirm: '' },
  });
  const { errors, isSubmitting } = form.formState;

  useEffect(() => {
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
    form.setValue('token', token);
    window.history.replaceState(null, '', window.location.pathname);
  }, [form]);

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    const result = await reach(setPasswordAction(values));
    if (result.ok) return setDone(result.data.email);
    for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
      if (field === 'password' || field === 'confirm') form.setError(field, { message: messages.join(' ') });
    }
    setError(result.error);
  });

  if (done) {
    return (
      <Alert tone="success">
        Your password is set. <Link href="/login" className="font-medium underline">Sign in</Link> as {done}.
      </Alert>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {error || errors.token ? <Alert tone="error">{error ?? `${errors.token?.message} Open the whole link you were sent, or ask an administrator for a new one.`}</Alert> : null}
      <div>
        <Label htmlFor="new-password">New password</Label>
        <Input id="new-password" type="password" autoComplete="new-password" className="mt-1" aria-invalid={errors.password ? true : undefined} {...form.register('password')} />
        <FieldError id="new-password-error" messages={errors.password?.message} />
      </div>
      <div>
        <Label htmlFor="confirm-password">Repeat password</Label>
        <Input id="confirm-password" type="password" autoComplete="new-password" className="mt-1" aria-invalid={errors.confirm ? true : undefined} {...form.register('confirm')} />
        <FieldError id="confirm-password-error" messages={errors.confirm?.message} />
      </div>
      <Button type="submit" disabled={isSubmitting} className="w-full">
        {isSubmitting ? 'Saving…' : 'Set password'}
      </Button>
    </form>
  );
}
