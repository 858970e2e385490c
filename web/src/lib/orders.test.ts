import { describe, expect, it } from 'vitest';
import { orderIdFromPath, orderPath, orderStatusWords, refusedLineWords } from './orders';

describe('orderPath and orderIdFromPath', () => {
  it('leaves the id prefix out of the address and puts it back', () => {
    const id = 'gid://shopgraph/Order/0b6f1c2e-8d1f-4f7a-9a55-3c2d1e0f9a7b';
    expect(orderPath(id)).toBe('/orders/0b6f1c2e-8d1f-4f7a-9a55-3c2d1e0f9a7b');
    expect(orderPath(id, '/confirmation')).toBe('/orders/0b6f1c2e-8d1f-4f7a-9a55-3c2d1e0f9a7b/confirmation');
    expect(orderIdFromPath('0b6f1c2e-8d1f-4f7a-9a55-3c2d1e0f9a7b')).toBe(id);
  });

  it('keeps an id of another form whole', () => {
    expect(orderIdFromPath(decodeURIComponent(orderPath('gid://other/Order/1').slice('/orders/'.length)))).toBe(
      'gid://other/Order/1',
    );
  });
});

describe('refusedLineWords', () => {
  it('says how many are left', () => {
    expect(refusedLineWords('OUT_OF_STOCK', { name: 'Wool scarf, Navy', requested: 3, available: 1 })).toBe(
      'Wool scarf, Navy: only 1 left (you asked for 3).',
    );
    expect(refusedLineWords('OUT_OF_STOCK', { name: 'Wool scarf, Navy', requested: 1, available: 0 })).toBe(
      'Wool scarf, Navy: sold out (you asked for 1).',
    );
  });

  it('says a price changed', () => {
    expect(refusedLineWords('PRICE_CHANGED', { name: 'Mug', requested: 1, available: 5 })).toBe('Mug: the price has changed.');
  });
});

describe('orderStatusWords', () => {
  it('says statuses in plain words', () => {
    expect(orderStatusWords('PAID')).toBe('Paid');
    expect(orderStatusWords('FULFILLED')).toBe('Packed');
    expect(orderStatusWords('ON_HOLD')).toBe('On_hold');
  });
});
