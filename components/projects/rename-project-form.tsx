'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { ActionResult } from '@/lib/auth/action';
import { renameProjectInput, type RenameProjectInput } from '@/lib/projects/schemas';

type Props = {
  name: string;
  rename: (input: RenameProjectInput) => Promise<ActionResult<{ name: string }>>;
};

export function RenameProjectForm({ name, rename }: Props) {
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>();
  const form = useForm<RenameProjectInput>({ resolver: zodResolver(renameProjectInput), defaultValues: { name } });
  const nameError = form.formState.errors.name?.message;

  const onSubmit = form.handleSubmit(async (values) => {
    setMessage(undefined);
    const result = await rename(values);
    if (result.ok) {
      setMessage({ tone: 'info', text: 'Project name saved.' });
      return;
    }
    for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
      if (field === 'name') form.setError('name', { message: messages.join(' ') });
    }
    setMessage({ tone: 'error', text: result.error });
  });

  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-4" noValidate>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div>
        <Label htmlFor="project-name">Project name</Label>
        <Input
          id="project-name"
          className="mt-1"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? 'project-name-error' : undefined}
          {...form.register('name')}
        />
        <FieldError id="project-name-error" messages={nameError} />
      </div>
      <Button type="submit" disabled={form.formState.isSubmitting}>
        Save
      </Button>
    </form>
  );
}
