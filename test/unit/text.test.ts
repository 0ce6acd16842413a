import { describe, expect, it } from 'vitest';
import { truncateUtf8 } from '../../shared/text.js';

describe('truncateUtf8()', () => {
  it('keeps a text that fits', () => {
    expect(truncateUtf8('héllo', 6)).toBe('héllo');
  });

  it('cuts ASCII at the byte limit', () => {
    expect(truncateUtf8('abcdef', 4)).toBe('abcd');
  });

  it('never splits a multi-byte character', () => {
    // 'é' is two bytes and '€' three: a cut inside either backs up to the character's start.
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a€b', 3)).toBe('a');
    expect(truncateUtf8('a€b', 4)).toBe('a€');
  });

  it('gives an empty text for a zero limit', () => {
    expect(truncateUtf8('abc', 0)).toBe('');
  });
});
