import { describe, expect, it } from 'vitest';
import { chooseValue, initialVariant, selectionOf, valueState, type VariantChoice } from './variants';

function variant(id: string, size: string, colour: string, stockLevel = 'IN_STOCK'): VariantChoice {
  return {
    id,
    stockLevel,
    selectedOptions: [
      { name: 'Size', value: size },
      { name: 'Colour', value: colour },
    ],
  };
}

// S and M come in Navy and Rust; L only in Navy; M / Rust is sold out.
const variants = [
  variant('s-navy', 'S', 'Navy', 'OUT_OF_STOCK'),
  variant('s-rust', 'S', 'Rust'),
  variant('m-navy', 'M', 'Navy', 'LOW_STOCK'),
  variant('m-rust', 'M', 'Rust', 'OUT_OF_STOCK'),
  variant('l-navy', 'L', 'Navy'),
];

describe('initialVariant', () => {
  it('opens with the variant the URL names', () => {
    expect(initialVariant(variants, 'm-rust')?.id).toBe('m-rust');
  });
  it('otherwise opens with the first variant in stock', () => {
    expect(initialVariant(variants, 'nope')?.id).toBe('s-rust');
    expect(initialVariant(variants)?.id).toBe('s-rust');
  });
  it('falls back to the first when everything is sold out', () => {
    expect(initialVariant([variants[0], variants[3]])?.id).toBe('s-navy');
  });
  it('has nothing to open without variants', () => {
    expect(initialVariant([])).toBeUndefined();
  });
});

describe('chooseValue', () => {
  const from = (id: string) => selectionOf(variants.find((v) => v.id === id)!);

  it('keeps the other options when a variant has them', () => {
    expect(chooseValue(variants, from('s-rust'), 'Size', 'M')?.id).toBe('m-rust');
  });
  it('changes another option when the combination does not exist', () => {
    expect(chooseValue(variants, from('s-rust'), 'Size', 'L')?.id).toBe('l-navy');
  });
  it('prefers a variant in stock among equally close ones', () => {
    // From S / Navy, picking Colour Rust keeps S: the exact match wins over stock.
    expect(chooseValue(variants, from('s-navy'), 'Colour', 'Rust')?.id).toBe('s-rust');
    // From L / Navy, picking Rust must change the size: S / Rust is in stock, M / Rust is not.
    expect(chooseValue(variants, from('l-navy'), 'Colour', 'Rust')?.id).toBe('s-rust');
  });
  it('finds nothing for a value no variant has', () => {
    expect(chooseValue(variants, from('s-rust'), 'Size', 'XL')).toBeUndefined();
  });
});

describe('valueState', () => {
  const current = { Size: 'M', Colour: 'Navy' };
  it('marks values by what picking them would give with the other options kept', () => {
    expect(valueState(variants, current, 'Size', 'S')).toBe('sold-out');
    expect(valueState(variants, current, 'Size', 'L')).toBe('available');
    expect(valueState(variants, current, 'Colour', 'Rust')).toBe('sold-out');
    expect(valueState(variants, { Size: 'L', Colour: 'Navy' }, 'Colour', 'Rust')).toBe('unavailable');
  });
  it('treats low stock as available', () => {
    expect(valueState(variants, { Size: 'S', Colour: 'Navy' }, 'Size', 'M')).toBe('available');
  });
});
