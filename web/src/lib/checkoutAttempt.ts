// The idempotency key of a checkout. Every checkout the shopper means to make
// gets a fresh key; when the answer leaves it unknown whether the order was
// placed (the network failed, the router answered with errors only, a service
// was down, or another request with the key is still at work) the next press
// of "Place order" is a retry of the same checkout and sends the same key, so
// the API returns the first attempt's order and never charges twice. After a
// definite refusal (a declined card, a changed price) the next press is a new
// checkout with a new key: retrying with the old one would only repeat the
// refusal.

/** How a checkout request ended. */
export type CheckoutOutcome = 'placed' | 'refused' | 'unknown';

/** Codes after which the same checkout should be sent again, unchanged key and all. */
const retryCodes: ReadonlySet<string> = new Set(['SERVICE_UNAVAILABLE', 'CHECKOUT_IN_PROGRESS']);

/** What a checkout request returned, as far as the outcome goes. */
export interface CheckoutAnswer {
  /** The request did not reach the API or its answer did not come back. */
  networkError?: unknown;
  /** The payload; missing when the API answered with top-level errors only. */
  payload?: { order: unknown; userErrors: readonly { code: string }[] } | null;
}

/** checkoutOutcome says whether an answer placed the order, refused it, or left it unknown. */
export function checkoutOutcome(answer: CheckoutAnswer): CheckoutOutcome {
  const p = answer.payload;
  if (p?.order) return 'placed';
  if (answer.networkError !== undefined || !p) return 'unknown';
  if (p.userErrors.length === 0 || p.userErrors.some((e) => retryCodes.has(e.code))) return 'unknown';
  return 'refused';
}

/** The last request of a checkout: the key it was sent with and how it ended. */
export interface LastAttempt {
  key: string;
  outcome: CheckoutOutcome;
}

/** attemptKey is the key for the next press of "Place order": the last one again after an unknown outcome, else a new one. */
export function attemptKey(last: LastAttempt | null, newKey: () => string): string {
  return last?.outcome === 'unknown' ? last.key : newKey();
}

/** What keeps a cart's unfinished attempt across reloads: the tab's sessionStorage. */
export type AttemptStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const attemptPrefix = 'shopgraph.checkout.';

/**
 * rememberAttempt keeps a cart's last attempt while its outcome is unknown, so
 * that "Place order" after a reload retries it with the same key; any other
 * outcome forgets it.
 */
export function rememberAttempt(storage: AttemptStorage, cartId: string, last: LastAttempt): void {
  if (last.outcome === 'unknown') storage.setItem(attemptPrefix + cartId, last.key);
  else storage.removeItem(attemptPrefix + cartId);
}

/** recallAttempt returns a cart's unfinished attempt, if the tab kept one. */
export function recallAttempt(storage: AttemptStorage, cartId: string | null): LastAttempt | null {
  const key = cartId ? storage.getItem(attemptPrefix + cartId) : null;
  return key ? { key, outcome: 'unknown' } : null;
}

/**
 * newIdempotencyKey is a random UUID. crypto.randomUUID exists only on pages
 * served over HTTPS or from localhost; elsewhere the same kind of value is made
 * from crypto.getRandomValues, which every browser has.
 */
export function newIdempotencyKey(c: Pick<Crypto, 'getRandomValues'> & { randomUUID?: () => string } = crypto): string {
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
