import { Client, fetchExchange } from '@urql/core';
import { cacheExchange, offlineExchange, type Cache, type CacheExchangeOpts, type Data, type StorageAdapter, type Variables } from '@urql/exchange-graphcache';
import { persistedExchange } from '@urql/exchange-persisted';
import type { DocumentNode } from 'graphql';
import { embeddedTypes } from '../generated/embedded-types';
import { cacheFallback } from './offline';

/**
 * documentHash is an operation's id in the trusted-documents manifest
 * (web/trusted-documents.json, generated with the operations): the SHA-256 of
 * its normalised text, which codegen puts in the document's __meta__.
 */
export function documentHash(document: DocumentNode): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error('an operation without a trusted-document hash: was it written outside graphql()?');
  return hash.replace(/^sha256:/, '');
}

/**
 * createStoreClient makes the store's GraphQL client: a normalised cache
 * (entities by __typename and id, so a product seen in a listing is already
 * known on its page and a cart mutation updates every view of the cart) over
 * POST requests to /graphql sent with the session's fetch. Operations go by
 * their hash alone (extensions.persistedQuery): the router finds them in the
 * store's trusted documents, and in production answers nothing else.
 *
 * With a storage (IndexedDB in the browser) the cache keeps the catalog on
 * disk and answers from it when the shop cannot be reached (see offline.ts);
 * without one it lives in memory alone.
 */
export function createStoreClient(sessionFetch: typeof fetch, storage?: StorageAdapter): Client {
  // Types without an id (Money, PageInfo, connections, payloads) live inside their parent.
  const keys = Object.fromEntries(embeddedTypes.map((name) => [name, () => null]));
  const fallback = storage && cacheFallback(storage);
  const options: CacheExchangeOpts = {
    keys,
    resolvers: {
      Query: {
        // An order the checkout answered with is known by its id: its
        // confirmation page reads it from the cache. That matters for a
        // guest, whom order(id) answers with null.
        order: (_parent, args, cache, info) => {
          const key = cache.keyOfEntity({ __typename: 'Order', id: args.id as string });
          return key && cache.resolve(key, 'id') ? key : cache.resolve(info.parentKey, info.fieldName, args);
        },
      },
    },
    updates: {
      Mutation: {
        // The address book changes as a whole (a new default unsets the old
        // one), so the list is fetched again rather than patched.
        addAddress: (_r, _a, cache) => forgetMyField(cache, 'addresses'),
        deleteAddress: (_r, _a, cache) => forgetMyField(cache, 'addresses'),
        setDefaultAddress: (_r, _a, cache) => forgetMyField(cache, 'addresses'),
        // A new review changes the product's list and its rating summary.
        addReview: (result: Data, args: Variables, cache) => {
          const payload = result.addReview as { review: unknown } | null;
          const input = args.input as { productId: string };
          if (payload?.review) forgetFields(cache, { __typename: 'Product', id: input.productId }, ['reviews', 'ratingSummary']);
        },
      },
    },
  };
  return new Client({
    url: '/graphql',
    fetch: sessionFetch,
    // The router refuses GET without a CSRF header; POST keeps one request per page simple.
    preferGetMethod: false,
    exchanges: [
      ...(fallback
        ? [fallback.exchange, offlineExchange({ ...options, storage: fallback.storage, isOfflineError: fallback.isOfflineError })]
        : [cacheExchange(options)]),
      // A router that does not know a hash (one run without the store's
      // manifest) answers PersistedQueryNotFound, and the text follows once,
      // as automatic persisted queries do; a router given the manifest knows
      // every hash, and in production it refuses any other text anyway.
      persistedExchange({
        enforcePersistedQueries: false,
        enableForMutation: true,
        preferGetForPersistedQueries: false,
        generateHash: async (_query, document) => documentHash(document),
      }),
      fetchExchange,
    ],
  });
}

/** forgetMyField drops a field of the signed-in user from the cache, so the pages showing it ask again. */
function forgetMyField(cache: Cache, field: string) {
  const me = cache.resolve('Query', 'me');
  if (typeof me === 'string') forgetFields(cache, me, [field]);
}

function forgetFields(cache: Cache, entity: string | { __typename: string; id: string }, fields: readonly string[]) {
  for (const f of cache.inspectFields(entity)) {
    if (fields.includes(f.fieldName)) cache.invalidate(entity, f.fieldName, f.arguments ?? undefined);
  }
}
