import { Client, fetchExchange, gql } from '@urql/core';
import { offlineExchange, type SerializedEntries } from '@urql/exchange-graphcache';
import { describe, expect, it } from 'vitest';
import { cacheFallback, catalogOnly, clearWhenSessionEnds, persistable, readsCatalog, type ClearableStorage } from './offline';

describe('persistable', () => {
  it('keeps the catalog', () => {
    for (const entry of [
      'Query.product({"slug":"merino-crew"})',
      'Query.categories',
      'Query%2eproducts({"first":8,"sort":"RATING"})%2eedges%2e0.node',
      'Query%2eproducts({"filter":{"maxPrice":12.5}})%2epageInfo.hasNextPage',
      'Product:gid://shopgraph/Product/7.name',
      'Product:gid://shopgraph/Product/7%2eratingSummary.average',
      'ProductVariant:gid://shopgraph/ProductVariant/3%2eprice.amount',
      'Category:gid://shopgraph/Category/2.products({"first":20})',
      'Review:gid://shopgraph/Review/9.author',
      'User:gid://shopgraph/User/4.name',
    ]) {
      expect(persistable(entry), entry).toBe(true);
    }
  });

  it('leaves out the shopper, carts, orders, addresses and mutation answers', () => {
    for (const entry of [
      'Query.me',
      'Query.cart({"id":"c1"})',
      'Query.order({"id":"o1"})',
      'Query.user({"id":"u1"})',
      'User:gid://shopgraph/User/4.email',
      'User:gid://shopgraph/User/4.addresses',
      'User:gid://shopgraph/User/4.orders({"first":10})',
      'User:gid://shopgraph/User/4%2eorders({"first":10}).edges',
      'Cart:c1.lines',
      'Cart:c1%2ecost.total',
      'CartLine:l1.quantity',
      'Order:o1.status',
      'Order:o1%2eshippingAddress.line1',
      'Address:a1.postalCode',
      'Mutation%2esignIn({"input":{}})%2etokens.refreshToken',
      'garbage',
    ]) {
      expect(persistable(entry), entry).toBe(false);
    }
  });
});

/** memoryStorage is a StorageAdapter over a Map, recording what is written and cleared. */
function memoryStorage(entries: SerializedEntries = {}) {
  const data = new Map(Object.entries(entries));
  const log: string[] = [];
  let hydrated = 0;
  const storage: ClearableStorage = {
    readData: async () => {
      log.push('read');
      return Object.fromEntries(data);
    },
    writeData: async (delta) => {
      log.push(`write ${Object.keys(delta).join(' ')}`);
      for (const [k, v] of Object.entries(delta)) data.set(k, v);
    },
    clear: async () => {
      log.push('clear');
      data.clear();
    },
    readMetadata: async () => null,
    writeMetadata: () => undefined,
    onOnline: () => undefined,
    onCacheHydrated: () => void hydrated++,
  };
  return { storage, data, log, hydrations: () => hydrated };
}

describe('catalogOnly', () => {
  it('writes only catalog entries', async () => {
    const m = memoryStorage();
    const s = catalogOnly(m.storage);
    await s.writeData({ 'Product:1.name': '"Sweater"', 'Query.me': ':"User:1"', 'User:1.email': '"a@b.c"', 'User:1.name': '"Ann"' });
    await s.writeData({ 'Cart:1.lines': ':[]' });
    expect(Object.fromEntries(m.data)).toEqual({ 'Product:1.name': '"Sweater"', 'User:1.name': '"Ann"' });
    expect(m.log).toEqual(['write Product:1.name User:1.name']);
  });

  it('reads only once a clear has finished', async () => {
    const m = memoryStorage({ 'Product:1.name': '"Sweater"' });
    let finish!: () => void;
    const slowClear: ClearableStorage = {
      ...m.storage,
      clear: () =>
        new Promise<void>((resolve) => {
          finish = () => {
            m.data.clear();
            resolve();
          };
        }),
    };
    const s = catalogOnly(slowClear);
    void s.clear();
    const read = s.readData();
    finish();
    expect(await read).toEqual({});
  });
});

describe('clearWhenSessionEnds', () => {
  function fakeSession(signedIn: boolean) {
    const listeners = new Set<() => void>();
    return {
      signedIn,
      subscribe(fn: () => void) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      set(v: boolean) {
        this.signedIn = v;
        for (const fn of listeners) fn();
      },
    };
  }
  function marks() {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
  }
  const counter = () => {
    let n = 0;
    return { clear: async () => void n++, count: () => n };
  };

  it('clears when the shopper signs out, not when they sign in', () => {
    const session = fakeSession(false);
    const cache = counter();
    clearWhenSessionEnds(session, cache, marks());
    expect(cache.count()).toBe(0); // a guest keeps the catalog they browsed
    session.set(true);
    expect(cache.count()).toBe(0);
    session.set(false);
    expect(cache.count()).toBe(1);
    session.set(false); // told again (another listener's change): nothing more to clear
    expect(cache.count()).toBe(1);
  });

  it('clears at start when the session that wrote the cache expired meanwhile', () => {
    const kept = marks();
    const first = counter();
    clearWhenSessionEnds(fakeSession(true), first, kept);
    expect(first.count()).toBe(0);
    // The next start: the refresh token has expired, so the session is no longer signed in.
    const next = counter();
    clearWhenSessionEnds(fakeSession(false), next, kept);
    expect(next.count()).toBe(1);
    const third = counter();
    clearWhenSessionEnds(fakeSession(false), third, kept);
    expect(third.count()).toBe(0);
  });
});

describe('readsCatalog', () => {
  it('tells catalog operations from the others', () => {
    expect(readsCatalog(gql`query A { product(slug: "x") { id } }`)).toBe(true);
    expect(readsCatalog(gql`query B { categories { id } featured: products(first: 8) { edges { cursor } } }`)).toBe(true);
    expect(readsCatalog(gql`query C { me { id } }`)).toBe(false);
    expect(readsCatalog(gql`query D($id: ID!) { order(id: $id) { id } }`)).toBe(false);
  });
});

describe('cacheFallback', () => {
  const ProductQuery = gql`
    query Product($slug: String!) {
      product(slug: $slug) {
        id
        name
      }
    }
  `;
  const MeQuery = gql`
    query Me {
      me {
        id
        name
      }
    }
  `;
  // What an earlier visit kept: the product, named as it was then.
  const kept: SerializedEntries = {
    'Query.product({"slug":"sweater"})': ':"Product:1"',
    'Product:1.__typename': '"Product"',
    'Product:1.id': '"1"',
    'Product:1.name': '"Sweater (kept)"',
  };

  function setup(network: 'up' | 'down') {
    const m = memoryStorage(kept);
    const fallback = cacheFallback(m.storage, () => network === 'up');
    const sent: string[] = [];
    const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { operationName: string };
      sent.push(body.operationName);
      if (network === 'down') throw new TypeError('Failed to fetch');
      const data =
        body.operationName === 'Product'
          ? { product: { __typename: 'Product', id: '1', name: 'Sweater' } }
          : { me: { __typename: 'User', id: 'u1', name: 'Ann' } };
      return new Response(JSON.stringify({ data }), { headers: { 'Content-Type': 'application/json' } });
    };
    const client = new Client({
      url: 'http://shop.test/graphql',
      preferGetMethod: false,
      fetch,
      exchanges: [fallback.exchange, offlineExchange({ storage: fallback.storage, isOfflineError: fallback.isOfflineError }), fetchExchange],
    });
    return { client, sent, hydrations: m.hydrations };
  }

  it('asks the network for a catalog page although the kept cache could answer, and once only', async () => {
    const { client, sent, hydrations } = setup('up');
    const first = await client.query(ProductQuery, { slug: 'sweater' }).toPromise();
    expect(hydrations()).toBe(1);
    expect(first.data?.product.name).toBe('Sweater');
    expect(sent).toEqual(['Product']);
    // Asked again by the same client (a page visited twice): the cache answers.
    const again = await client.query(ProductQuery, { slug: 'sweater' }).toPromise();
    expect(again.data?.product.name).toBe('Sweater');
    expect(sent).toEqual(['Product']);
  });

  it('answers from the kept cache when the shop cannot be reached', async () => {
    const { client, sent } = setup('down');
    const result = await client.query(ProductQuery, { slug: 'sweater' }).toPromise();
    expect(sent).toEqual(['Product']);
    expect(result.error).toBeUndefined();
    expect(result.data?.product.name).toBe('Sweater (kept)');
  });

  it('gives the network error when the kept cache cannot answer either', async () => {
    const { client } = setup('down');
    const result = await client.query(ProductQuery, { slug: 'never-seen' }).toPromise();
    expect(result.data ?? null).toBeNull();
    expect(result.error?.networkError?.message).toBe('Failed to fetch');
    const me = await client.query(MeQuery, {}).toPromise();
    expect(me.error?.networkError?.message).toBe('Failed to fetch');
  });
});
