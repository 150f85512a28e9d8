import { describe, expect, it } from 'vitest';
import { parseTheme } from './theme';

describe('parseTheme', () => {
  it('reads the three choices', () => {
    expect(parseTheme('system')).toBe('system');
    expect(parseTheme('light')).toBe('light');
    expect(parseTheme('dark')).toBe('dark');
  });

  it('falls back to following the system for a missing or unknown value', () => {
    expect(parseTheme(undefined)).toBe('system');
    expect(parseTheme('')).toBe('system');
    expect(parseTheme('Dark')).toBe('system');
    expect(parseTheme('dark; Path=/')).toBe('system');
  });
});
