import { describe, expect, it } from 'vitest';
import { formatMoney, formatPriceRange } from './money';

describe('formatMoney', () => {
  it.each([
    [{ amount: '12.50', currencyCode: 'USD' }, '$12.50'],
    [{ amount: '1200', currencyCode: 'JPY' }, '¥1,200'],
    [{ amount: '0.10', currencyCode: 'EUR' }, '€0.10'],
    [{ amount: '1234567.89', currencyCode: 'GBP' }, '£1,234,567.89'],
    [{ amount: '-5.00', currencyCode: 'USD' }, '-$5.00'],
  ])('shows %j as %s', (m, want) => {
    expect(formatMoney(m)).toBe(want);
  });

  it('keeps every digit of an amount beyond a double’s precision', () => {
    expect(formatMoney({ amount: '90071992547409.93', currencyCode: 'USD' })).toBe('$90,071,992,547,409.93');
  });

  it('formats for the locale given', () => {
    expect(formatMoney({ amount: '12.50', currencyCode: 'EUR' }, 'de-DE')).toBe('12,50\u00a0€');
  });

  it('shows an amount that is not a decimal as it came rather than NaN', () => {
    expect(formatMoney({ amount: 'n/a', currencyCode: 'USD' })).toBe('n/a USD');
  });
});

describe('formatPriceRange', () => {
  it('shows a single price when every variant costs the same', () => {
    const p = { amount: '20.00', currencyCode: 'USD' };
    expect(formatPriceRange(p, p)).toBe('$20.00');
  });
  it('shows the lowest price with "from" when variants differ', () => {
    expect(formatPriceRange({ amount: '20.00', currencyCode: 'USD' }, { amount: '30.00', currencyCode: 'USD' })).toBe(
      'from $20.00',
    );
  });
});
