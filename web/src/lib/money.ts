/** An amount as the API gives it: a decimal string and an ISO 4217 code. */
export interface MoneyValue {
  amount: string;
  currencyCode: string;
}

const decimal = /^-?\d+(\.\d+)?$/;
const formats = new Map<string, Intl.NumberFormat>();

function formatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formats.set(key, f);
  }
  return f;
}

/**
 * formatMoney shows an amount in the shopper's locale with the currency's
 * usual precision. The decimal string goes to Intl as a string, which formats
 * it exactly: "0.10" never becomes 0.1000000000000000055.
 */
export function formatMoney(m: MoneyValue, locale = 'en-US'): string {
  if (!decimal.test(m.amount)) return `${m.amount} ${m.currencyCode}`;
  return formatter(locale, m.currencyCode).format(m.amount as Intl.StringNumericLiteral);
}

/** formatPriceRange shows one price, or "from" the lowest when variants differ. */
export function formatPriceRange(min: MoneyValue, max: MoneyValue, locale = 'en-US'): string {
  const low = formatMoney(min, locale);
  if (min.amount === max.amount && min.currencyCode === max.currencyCode) return low;
  return `from ${low}`;
}
