// The country the shopper last shipped to or looked at shipping for, kept so
// that checkout asks for the right shipping costs in its one request.
const key = 'shopgraph.shipCountry';

/** The country checkout starts from when the shopper has not chosen one. */
export const defaultShipCountry = 'US';

/** shipCountry is the remembered country, or the default. */
export function shipCountry(): string {
  const c = localStorage.getItem(key);
  return c && /^[A-Z]{2}$/.test(c) ? c : defaultShipCountry;
}

/** keepShipCountry remembers the country a checkout ships to. */
export function keepShipCountry(country: string): void {
  if (/^[A-Z]{2}$/.test(country)) localStorage.setItem(key, country);
}
