import { describe, expect, it } from 'vitest';
import { addressDraft, addressInput, emptyAddress, luhn, parseCard, validateAddress, validateEmail } from './address';

const good = { ...emptyAddress, name: 'Ada Guest', line1: '1 Quay St', city: 'Bristol', postalCode: 'BS1 4RN', country: 'GB' };
const now = new Date(2026, 11, 6);

describe('validateAddress', () => {
  it('accepts a complete address', () => {
    expect(validateAddress(good)).toEqual({});
  });

  it('names every missing required field', () => {
    expect(Object.keys(validateAddress(emptyAddress)).sort()).toEqual(['city', 'country', 'line1', 'name', 'postalCode']);
  });

  it('counts text of spaces only as missing', () => {
    expect(validateAddress({ ...good, city: '   ' })).toEqual({ city: 'Enter the town or city.' });
  });

  it('refuses a postal code of odd characters or length, as the API does', () => {
    expect(validateAddress({ ...good, postalCode: 'BS1#4RN' }).postalCode).toBe('A postal code has letters, digits, spaces and dashes only.');
    expect(validateAddress({ ...good, postalCode: '-1234' }).postalCode).toBeDefined();
    expect(validateAddress({ ...good, postalCode: '1'.repeat(17) }).postalCode).toBe('Use at most 16 characters.');
    expect(validateAddress({ ...good, postalCode: '10115' })).toEqual({});
  });

  it('checks a phone number only when one is given', () => {
    expect(validateAddress({ ...good, phone: '+44 117 496 0000' })).toEqual({});
    expect(validateAddress({ ...good, phone: '0117 (496) 000.0/1' })).toEqual({});
    expect(validateAddress({ ...good, phone: '(0117) 496 0000' }).phone).toBeDefined();
    expect(validateAddress({ ...good, phone: 'call me' }).phone).toBeDefined();
    expect(validateAddress({ ...good, phone: '1'.repeat(33) }).phone).toBe('Use at most 32 characters.');
  });

  it('refuses a country that is not a two-letter code', () => {
    expect(validateAddress({ ...good, country: 'United Kingdom' }).country).toBe('Choose a country.');
  });

  it('refuses text over 100 characters, counting characters rather than bytes', () => {
    expect(validateAddress({ ...good, line2: 'x'.repeat(101) }).line2).toBe('Use at most 100 characters.');
    expect(validateAddress({ ...good, city: 'ü'.repeat(100) })).toEqual({});
  });
});

describe('addressInput and addressDraft', () => {
  it('trims and leaves out empty optional fields', () => {
    expect(addressInput({ ...good, name: ' Ada Guest ', region: ' ' })).toEqual({
      name: 'Ada Guest',
      line1: '1 Quay St',
      line2: undefined,
      city: 'Bristol',
      region: undefined,
      postalCode: 'BS1 4RN',
      country: 'GB',
      phone: undefined,
    });
  });

  it('fills a form from an address with nulls', () => {
    expect(addressDraft({ ...good, line2: null, phone: null })).toEqual(good);
  });
});

describe('validateEmail', () => {
  it('accepts an address and refuses blanks and non-addresses', () => {
    expect(validateEmail('ada@example.com')).toBeUndefined();
    expect(validateEmail(' ')).toMatch(/Enter your email/);
    expect(validateEmail('ada@example')).toMatch(/like name@example.com/);
  });
});

describe('parseCard', () => {
  it('turns the test cards into the API input', () => {
    for (const number of ['4242 4242 4242 4242', '4000 0000 0000 0002', '4000 0000 0000 9995']) {
      const { card, problems } = parseCard({ number, expiry: '12/31', cvc: '123' }, now);
      expect(problems).toEqual({});
      expect(card).toEqual({ number: number.replace(/ /g, ''), expMonth: 12, expYear: 2031, cvc: '123' });
    }
  });

  it('reads a four-digit year', () => {
    expect(parseCard({ number: '4242424242424242', expiry: '1 / 2030', cvc: '123' }, now).card?.expYear).toBe(2030);
  });

  it('takes a card to the end of its expiry month', () => {
    expect(parseCard({ number: '4242424242424242', expiry: '12/26', cvc: '123' }, now).problems).toEqual({});
    expect(parseCard({ number: '4242424242424242', expiry: '11/26', cvc: '123' }, now).problems).toEqual({
      expiry: 'This card has expired.',
    });
  });

  it('names every bad field', () => {
    const { card, problems } = parseCard({ number: '4242 4242 4242 4241', expiry: '13/30', cvc: '12' }, now);
    expect(card).toBeUndefined();
    expect(problems).toEqual({
      number: 'This card number has a typo: check the digits.',
      expiry: 'The month is 01 to 12.',
      cvc: expect.stringMatching(/3 digits/),
    });
    expect(parseCard({ number: '', expiry: 'soon', cvc: '123' }, now).problems).toEqual({
      number: 'Enter the card number.',
      expiry: 'Enter the expiry date as MM/YY.',
    });
  });
});

describe('luhn', () => {
  it('checks the check digit', () => {
    expect(luhn('4242424242424242')).toBe(true);
    expect(luhn('4242424242424241')).toBe(false);
  });
});
