// Checks of a postal address, email and card before they are sent, so that a
// typo is pointed out at once. The API checks them again and has the last
// word; these checks only refuse what it would refuse too.

/** An address as a form holds it: every field a string, empty when not given. */
export interface AddressDraft {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
}

/** The fields of an address form, in the order shown. */
export const addressFields = ['name', 'line1', 'line2', 'city', 'region', 'postalCode', 'country', 'phone'] as const;

export type AddressField = (typeof addressFields)[number];

export const emptyAddress: AddressDraft = {
  name: '',
  line1: '',
  line2: '',
  city: '',
  region: '',
  postalCode: '',
  country: '',
  phone: '',
};

/** Problems by field; an empty object means the draft may be sent. */
export type Problems<K extends string = string> = Partial<Record<K, string>>;

const required: Partial<Record<AddressField, string>> = {
  name: 'Enter the name of who receives the parcel.',
  line1: 'Enter the street address.',
  city: 'Enter the town or city.',
  postalCode: 'Enter the postal code.',
  country: 'Choose a country.',
};

// The API's limits (internal/contact): 100 characters of text, 16 for a postal
// code, 32 for a phone number.
const maxText = 100;
const maxLength: Partial<Record<AddressField, number>> = { postalCode: 16, phone: 32 };

/** validateAddress lists what keeps an address from being sent. */
export function validateAddress(a: AddressDraft): Problems<AddressField> {
  const problems: Problems<AddressField> = {};
  for (const f of addressFields) {
    const v = a[f].trim();
    const need = required[f];
    if (need && v === '') problems[f] = need;
    else if ([...v].length > (maxLength[f] ?? maxText)) problems[f] = `Use at most ${maxLength[f] ?? maxText} characters.`;
  }
  const postal = a.postalCode.trim();
  if (!problems.postalCode && !/^[A-Za-z0-9][A-Za-z0-9 -]*$/.test(postal)) {
    problems.postalCode = 'A postal code has letters, digits, spaces and dashes only.';
  }
  if (!problems.country && !/^[A-Z]{2}$/.test(a.country)) problems.country = 'Choose a country.';
  const phone = a.phone.trim();
  if (!problems.phone && phone !== '' && !/^\+?[0-9][0-9 ()./-]*$/.test(phone)) {
    problems.phone = 'Enter a phone number such as +44 20 7946 0958.';
  }
  return problems;
}

/** addressInput is a draft as the API takes it: trimmed, with empty optional fields left out. */
export function addressInput(a: AddressDraft) {
  const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());
  return {
    name: a.name.trim(),
    line1: a.line1.trim(),
    line2: optional(a.line2),
    city: a.city.trim(),
    region: optional(a.region),
    postalCode: a.postalCode.trim(),
    country: a.country,
    phone: optional(a.phone),
  };
}

/** addressDraft fills a form from an address the API gave. */
export function addressDraft(a: { [K in AddressField]?: string | null }): AddressDraft {
  const d = { ...emptyAddress };
  for (const f of addressFields) d[f] = a[f] ?? '';
  return d;
}

/** validateEmail says what is wrong with an email address, if anything. */
export function validateEmail(email: string): string | undefined {
  const e = email.trim();
  if (e === '') return 'Enter your email address; the order confirmation goes there.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return 'Enter an email address like name@example.com.';
  return undefined;
}

/** A card as the form holds it. */
export interface CardDraft {
  number: string;
  /** MM/YY or MM/YYYY. */
  expiry: string;
  cvc: string;
}

/** A card as the API takes it. */
export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/**
 * parseCard checks a card and turns it into the API's input. now is today,
 * for the expiry: a card is good to the end of its expiry month.
 */
export function parseCard(c: CardDraft, now: Date): { card?: CardInput; problems: Problems<'number' | 'expiry' | 'cvc'> } {
  const problems: Problems<'number' | 'expiry' | 'cvc'> = {};
  const number = c.number.replace(/[\s-]/g, '');
  if (number === '') problems.number = 'Enter the card number.';
  else if (!/^\d{13,19}$/.test(number)) problems.number = 'A card number has 13 to 19 digits.';
  else if (!luhn(number)) problems.number = 'This card number has a typo: check the digits.';

  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(c.expiry);
  let expMonth = 0;
  let expYear = 0;
  if (!m) problems.expiry = 'Enter the expiry date as MM/YY.';
  else {
    expMonth = Number(m[1]);
    expYear = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
    const thisMonth = now.getFullYear() * 12 + now.getMonth();
    if (expMonth < 1 || expMonth > 12) problems.expiry = 'The month is 01 to 12.';
    else if (expYear * 12 + expMonth - 1 < thisMonth) problems.expiry = 'This card has expired.';
  }

  if (!/^\d{3,4}$/.test(c.cvc.trim())) problems.cvc = 'The security code is the 3 digits on the back (4 on the front for Amex).';
  if (Object.keys(problems).length > 0) return { problems };
  return { card: { number, expMonth, expYear, cvc: c.cvc.trim() }, problems };
}

/** luhn says whether a card number's check digit is right. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
