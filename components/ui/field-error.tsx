/** The message under a form field; `id` is what the field's aria-describedby points at. */
export function FieldError({ id, messages }: { id: string; messages?: string[] | string }) {
  const list = typeof messages === 'string' ? [messages] : messages;
  if (!list?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-600">
      {list.join(' ')}
    </p>
  );
}
