// The id of the shopper's cart, kept across reloads. A guest's cart is reached
// by its id alone, so the id is as private as a password: it stays in this
// browser's storage and is sent only to the store's own API.
const key = 'shopgraph.cartId';

/** cartId is the kept cart's id, if any. */
export function cartId(): string | null {
  return localStorage.getItem(key);
}

/** keepCartId remembers the cart the API returned. */
export function keepCartId(id: string): void {
  localStorage.setItem(key, id);
}

/** forgetCartId drops a cart the API no longer knows. */
export function forgetCartId(): void {
  localStorage.removeItem(key);
}
