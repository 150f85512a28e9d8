import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from './callback-url';

describe('safeCallbackUrl', () => {
  it('keeps paths on this site', () => {
    expect(safeCallbackUrl('/projects/demo/settings/api-keys?q=a')).toBe('/projects/demo/settings/api-keys?q=a');
  });

  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', '/\tevil', 'javascript:alert(1)', '', undefined, 42])(
    'refuses %s',
    (value) => {
      expect(safeCallbackUrl(value)).toBe('/');
    },
  );
});
