import { describe, expect, it } from 'vitest';
import { placeErrors, under, withPrefix } from './userErrors';

const checkoutFields = [
  'email',
  ...withPrefix('shippingAddress', ['name', 'postalCode', 'country']),
  'payment',
  'payment.number',
  'payment.expiry',
];
const aliases = { 'payment.expMonth': 'payment.expiry', 'payment.expYear': 'payment.expiry' };

describe('placeErrors', () => {
  it('puts a refusal next to the field of its path', () => {
    const placed = placeErrors([{ field: ['shippingAddress', 'postalCode'], message: 'Not a postal code.' }], checkoutFields);
    expect(placed).toEqual({ byField: { 'shippingAddress.postalCode': 'Not a postal code.' }, general: [] });
  });

  it('sends a path the form shows under another name to that field', () => {
    const placed = placeErrors([{ field: ['payment', 'expMonth'], message: 'Month 1 to 12.' }], checkoutFields, aliases);
    expect(placed.byField).toEqual({ 'payment.expiry': 'Month 1 to 12.' });
  });

  it('puts a refusal of a whole input on that input (a declined card)', () => {
    const placed = placeErrors([{ field: ['payment'], message: 'The card was declined.' }], checkoutFields);
    expect(placed.byField).toEqual({ payment: 'The card was declined.' });
  });

  it('falls back to the nearest enclosing field the form shows', () => {
    const placed = placeErrors([{ field: ['payment', 'holder'], message: 'No holder.' }], checkoutFields);
    expect(placed.byField).toEqual({ payment: 'No holder.' });
  });

  it('puts refusals without a field, or of fields the form lacks, at the top', () => {
    const noField = { code: 'EMPTY_CART', field: null, message: 'The cart is empty.' };
    const unknown = { code: 'INVALID_ADDRESS', field: ['billingAddress', 'city'], message: 'No city.' };
    const placed = placeErrors([noField, unknown], checkoutFields);
    expect(placed.byField).toEqual({});
    expect(placed.general).toEqual([noField, unknown]);
  });

  it('keeps the first refusal of a field beside it and the next at the top', () => {
    const second = { field: ['email'], message: 'Second.' };
    const placed = placeErrors([{ field: ['email'], message: 'First.' }, second], checkoutFields);
    expect(placed.byField).toEqual({ email: 'First.' });
    expect(placed.general).toEqual([second]);
  });

  it('places account refusals under their input', () => {
    const fields = withPrefix('input', ['name', 'email', 'currentPassword']);
    const placed = placeErrors([{ field: ['input', 'currentPassword'], message: 'Wrong password.' }], fields);
    expect(placed.byField).toEqual({ 'input.currentPassword': 'Wrong password.' });
  });
});

describe('under', () => {
  it('picks one input\'s refusals by their own names', () => {
    const byField = { email: 'Bad email.', 'shippingAddress.city': 'No city.', 'shippingAddress.postalCode': 'Bad code.', payment: 'Declined.' };
    expect(under(byField, 'shippingAddress')).toEqual({ city: 'No city.', postalCode: 'Bad code.' });
    expect(under(byField, 'billingAddress')).toEqual({});
  });
});
