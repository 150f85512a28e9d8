'use client';
/**
 * "Add member"'s dialog (add-member.tsx holds the button, which loads it): an email and a role. An existing user joins at once and signs in as before; no
 * link is ever made for them. A new user gets a set-password link, shown here once for the
 * administrator to pass on: it works once, for 24 hours, and Keyward keeps only its hash.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { z } from 'zod';
import { addMemberAction } from '@/app/projects/[slug]/settings/team/actions';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog, DialogActions, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import type { LazyDialogProps } from '@/components/ui/lazy-dialog';
import { CopyFeedback, useCopy } from '@/components/ui/use-copy';
import { addMemberInput } from '@/lib/team/schemas';
import { reach } from '@/lib/ui/reach';

type Added = { email: string; link: string | null };

export function AddMemberDialog({ slug, open, onOpenChange, onCloseAutoFocus }: LazyDialogProps & { slug: string }) {
  const router = useRouter();
  const [added, setAdded] = useState<Added | null>(null);

  function done() {
    setAdded(null);
    onOpenChange(false);
    router.refresh();
  }

  return (
    <Dialog open={open} onOpenChange={(next) => (next ? onOpenChange(true) : done())}>
      <DialogContent onCloseAutoFocus={onCloseAutoFocus}>
        {added?.link ? (
          <ShareLink email={added.email} link={added.link} onDone={done} />
        ) : added ? (
          <Joined email={added.email} onDone={done} />
        ) : (
          <>
            <DialogHeader>
              <DialogTitle>Add member</DialogTitle>
              <DialogDescription>Someone with an account joins at once. For a new email, you get a link to pass on so they can set a password.</DialogDescription>
            </DialogHeader>
            <AddMemberForm slug={slug} onAdded={setAdded} />
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}

function AddMemberForm({ slug, onAdded }: { slug: string; onAdded: (added: Added) => void }) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<z.input<typeof addMemberInput>, unknown, z.output<typeof addMemberInput>>({
    resolver: zodResolver(addMemberInput),
    defaultValues: { email: '', role: 'member' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    const result = await reach(addMemberAction(slug, values));
    if (result.ok) return onAdded({ email: result.data.member.email, link: result.data.link });
    for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
      if (field === 'email' || field === 'role') form.setError(field, { message: messages.join(' ') });
    }
    setError(result.error);
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div>
        <Label htmlFor="member-email">Email</Label>
        <Input
          id="member-email"
          type="email"
          className="mt-1"
          autoComplete="off"
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={errors.email ? 'member-email-error' : undefined}
          {...form.register('email')}
        />
        <FieldError id="member-email-error" messages={errors.email?.message} />
      </div>
      <div>
        <p id="member-role-label" className="text-sm font-medium text-zinc-800">
          Role
        </p>
        <Controller
          control={form.control}
          name="role"
          render={({ field }) => (
            <RadioGroup aria-labelledby="member-role-label" value={field.value} onValueChange={field.onChange} disabled={isSubmitting} className="mt-2 grid gap-2">
              {[
                { value: 'member', label: 'Member', hint: 'Sees the project; cannot change it.' },
                { value: 'admin', label: 'Admin', hint: 'Manages keys, webhooks and the team.' },
              ].map((choice) => (
                <div key={choice.value} className="flex items-start gap-2 rounded-md border border-zinc-200 px-3 py-2">
                  <RadioGroupItem id={`role-${choice.value}`} value={choice.value} className="mt-0.5" />
                  <Label htmlFor={`role-${choice.value}`} className="cursor-pointer font-normal">
                    <span className="font-medium">{choice.label}</span> <span className="text-zinc-600">— {choice.hint}</span>
                  </Label>
                </div>
              ))}
            </RadioGroup>
          )}
        />
      </div>
      <DialogActions busy={isSubmitting} label="Add member" busyLabel="Adding…" />
    </form>
  );
}

function Joined({ email, onDone }: { email: string; onDone: () => void }) {
  return (
    <>
      <DialogHeader>
        <DialogTitle>Member added</DialogTitle>
        <DialogDescription>{email} already has a Keyward account and was added to this project. They sign in as before; there is no link to share.</DialogDescription>
      </DialogHeader>
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </>
  );
}

function ShareLink({ email, link, onDone }: { email: string; link: string; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const { state, copy } = useCopy();
  return (
    <>
      <DialogHeader>
        <DialogTitle>Share the set-password link</DialogTitle>
        <DialogDescription>{email} was added. Send them this link so they can choose a password and sign in.</DialogDescription>
      </DialogHeader>
      <Label htmlFor="password-link">Set-password link</Label>
      <div className="mt-1 flex gap-2">
        <Input ref={field} id="password-link" readOnly value={link} onFocus={(event) => event.currentTarget.select()} className="font-mono text-xs" />
        <Button variant="secondary" onClick={() => copy(link, field.current)} className="w-24 shrink-0">
          {state === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <CopyFeedback state={state} />
      <Alert tone="warning" className="mt-3">
        The link works once, for 24 hours, and is not shown again. Share it privately.
      </Alert>
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </>
  );
}
