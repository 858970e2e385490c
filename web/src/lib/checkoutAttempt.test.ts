import { describe, expect, it } from 'vitest';
import { attemptKey, checkoutOutcome, newIdempotencyKey, recallAttempt, rememberAttempt, type CheckoutAnswer } from './checkoutAttempt';

const refusal = (code: string): CheckoutAnswer => ({ payload: { order: null, userErrors: [{ code }] } });

describe('checkoutOutcome', () => {
  it('is placed when the payload holds the order', () => {
    expect(checkoutOutcome({ payload: { order: { id: 'o1' }, userErrors: [] } })).toBe('placed');
  });

  it('is unknown after a network error, whatever else came', () => {
    expect(checkoutOutcome({ networkError: new TypeError('Failed to fetch') })).toBe('unknown');
  });

  it('is unknown when the API answered with top-level errors only', () => {
    expect(checkoutOutcome({ payload: null })).toBe('unknown');
    expect(checkoutOutcome({})).toBe('unknown');
  });

  it('is unknown when a service was down or the same checkout is still at work', () => {
    expect(checkoutOutcome(refusal('SERVICE_UNAVAILABLE'))).toBe('unknown');
    expect(checkoutOutcome(refusal('CHECKOUT_IN_PROGRESS'))).toBe('unknown');
  });

  it('is refused after a definite refusal', () => {
    for (const code of ['PAYMENT_DECLINED', 'INSUFFICIENT_FUNDS', 'PRICE_CHANGED', 'OUT_OF_STOCK', 'INVALID_ADDRESS']) {
      expect(checkoutOutcome(refusal(code))).toBe('refused');
    }
  });
});

describe('attemptKey', () => {
  let n = 0;
  const newKey = () => `key-${++n}`;

  it('makes a key for the first attempt', () => {
    expect(attemptKey(null, () => 'fresh')).toBe('fresh');
  });

  it('sends the same key again after an unknown outcome', () => {
    expect(attemptKey({ key: 'k1', outcome: 'unknown' }, newKey)).toBe('k1');
  });

  it('makes a new key for a new attempt after a refusal', () => {
    const key = attemptKey({ key: 'k1', outcome: 'refused' }, newKey);
    expect(key).not.toBe('k1');
    expect(key).toMatch(/^key-/);
  });

  it('follows a declined card, a network error and its retry, then success', () => {
    let last = null as { key: string; outcome: 'placed' | 'refused' | 'unknown' } | null;
    const sent: string[] = [];
    for (const answer of [refusal('PAYMENT_DECLINED'), { networkError: new Error('offline') }, refusal('SERVICE_UNAVAILABLE')]) {
      const key = attemptKey(last, newKey);
      sent.push(key);
      last = { key, outcome: checkoutOutcome(answer) };
    }
    sent.push(attemptKey(last, newKey));
    // The declined attempt has its own key; the network error's key is reused by both retries.
    expect(new Set(sent).size).toBe(2);
    expect(sent[1]).toBe(sent[2]);
    expect(sent[2]).toBe(sent[3]);
    expect(sent[0]).not.toBe(sent[1]);
  });
});

describe('newIdempotencyKey', () => {
  it('uses randomUUID where the browser has it', () => {
    expect(newIdempotencyKey({ randomUUID: () => 'from-browser', getRandomValues: crypto.getRandomValues.bind(crypto) })).toBe(
      'from-browser',
    );
  });

  it('makes a version 4 UUID from random bytes elsewhere', () => {
    const key = newIdempotencyKey({ getRandomValues: crypto.getRandomValues.bind(crypto) });
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey({ getRandomValues: crypto.getRandomValues.bind(crypto) })).not.toBe(key);
  });
});

describe('rememberAttempt and recallAttempt', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    };
  };

  it('keeps an attempt with an unknown outcome across a reload, per cart', () => {
    const s = memory();
    rememberAttempt(s, 'cart-1', { key: 'k1', outcome: 'unknown' });
    expect(recallAttempt(s, 'cart-1')).toEqual({ key: 'k1', outcome: 'unknown' });
    expect(recallAttempt(s, 'cart-2')).toBeNull();
    expect(recallAttempt(s, null)).toBeNull();
    // The recalled attempt is retried with its key.
    expect(attemptKey(recallAttempt(s, 'cart-1'), () => 'new')).toBe('k1');
  });

  it('forgets it once the outcome is known', () => {
    const s = memory();
    rememberAttempt(s, 'cart-1', { key: 'k1', outcome: 'unknown' });
    rememberAttempt(s, 'cart-1', { key: 'k1', outcome: 'refused' });
    expect(recallAttempt(s, 'cart-1')).toBeNull();
    rememberAttempt(s, 'cart-1', { key: 'k2', outcome: 'unknown' });
    rememberAttempt(s, 'cart-1', { key: 'k2', outcome: 'placed' });
    expect(recallAttempt(s, 'cart-1')).toBeNull();
  });
});
