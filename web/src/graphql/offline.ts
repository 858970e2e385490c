// The catalog offline. The normalised cache is kept in IndexedDB (graphcache's
// offlineExchange with its default storage), so a shopper who saw a product,
// a category or the home page sees it again without a connection, after a
// reload too. Three rules keep that from changing the store online or from
// keeping a shopper's private data:
//
//  - Only the catalog is written to disk: products, variants, categories,
//    reviews with their authors' display names, and the Query fields that
//    lead to them. The cart, orders, addresses and the account stay in memory.
//  - The kept copy is a fallback, not an answer: a page that reads the catalog
//    asks the network the first time the client sees its operation, as it did
//    before anything was kept, and reads the cache only when the shop cannot
//    be reached. Within a page's life the cache answers as before.
//  - Whatever was written while a shopper was signed in is cleared when the
//    session ends (signing out here, ended elsewhere, or expired while the
//    store was closed).
import { makeOperation, mapExchange, type CombinedError, type Exchange, type Operation, type OperationResult } from '@urql/core';
import type { SerializedEntries, StorageAdapter } from '@urql/exchange-graphcache';
import type { DocumentNode } from 'graphql';

/** Query fields whose answers are catalog data, safe to keep on disk for anyone using this browser. */
export const catalogQueryFields: ReadonlySet<string> = new Set([
  'product',
  'products',
  'category',
  'categories',
  'searchSuggestions',
  'shippingRates',
]);

/** Entities that are catalog data as a whole, embedded parts (prices, images, rating summaries) included. */
const catalogTypes: ReadonlySet<string> = new Set(['Product', 'ProductVariant', 'Category', 'Review']);

/** A user's public fields: a review names its author. */
const publicUserFields: ReadonlySet<string> = new Set(['__typename', 'id', 'name']);

/**
 * persistable says whether a cache entry may be written to disk. Graphcache
 * names entries "<entity key, its dots escaped as %2e>.<field key>"; an entity
 * embedded without an id has its parent's key and path as its key, such as
 * Product:7.images.0 or Query.products({"first":8}).edges.0.
 */
export function persistable(entry: string): boolean {
  const dot = entry.indexOf('.');
  if (dot < 0) return false;
  const entity = entry.slice(0, dot).replace(/%2e/g, '.');
  const field = entry.slice(dot + 1);
  const path = entity.split('.');
  const root = path[0];
  const colon = root.indexOf(':');
  const type = colon < 0 ? root : root.slice(0, colon);
  if (type === 'Query') return catalogQueryFields.has(fieldName(path.length > 1 ? path[1] : field));
  if (catalogTypes.has(type)) return true;
  return type === 'User' && path.length === 1 && publicUserFields.has(fieldName(field));
}

function fieldName(fieldKey: string): string {
  const paren = fieldKey.indexOf('(');
  return paren < 0 ? fieldKey : fieldKey.slice(0, paren);
}

/** The storage the store keeps its offline catalog in: graphcache's default IndexedDB storage, which can be cleared. */
export interface ClearableStorage extends StorageAdapter {
  clear(): Promise<unknown>;
}

/**
 * catalogOnly wraps a storage so that it writes only persistable entries, and
 * so that reading waits for a clear still under way (a client made straight
 * after sign-out must not load what is being cleared).
 */
export function catalogOnly(inner: ClearableStorage): ClearableStorage {
  let clearing: Promise<unknown> = Promise.resolve();
  return {
    ...inner,
    readData: () => clearing.then(() => inner.readData()),
    writeData(delta: SerializedEntries) {
      const kept: SerializedEntries = {};
      let any = false;
      for (const [entry, value] of Object.entries(delta)) {
        if (!persistable(entry)) continue;
        kept[entry] = value;
        any = true;
      }
      return any ? inner.writeData(kept) : Promise.resolve();
    },
    clear() {
      clearing = inner.clear().catch(() => undefined);
      return clearing;
    },
  };
}

const signedInMarker = 'shopgraph.offlineCache.signedIn';

/**
 * clearWhenSessionEnds clears the kept cache whenever a session that wrote to
 * it has ended: at once when the shopper signs out or the API ends the
 * session, and at the next start when the refresh token expired meanwhile (a
 * mark in localStorage says the cache was written while signed in). It
 * returns the unsubscribe.
 */
export function clearWhenSessionEnds(
  session: { readonly signedIn: boolean; subscribe(fn: () => void): () => void },
  cache: { clear(): Promise<unknown> },
  marks: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
): () => void {
  const follow = () => {
    if (session.signedIn) {
      marks.setItem(signedInMarker, '1');
    } else if (marks.getItem(signedInMarker) !== null) {
      marks.removeItem(signedInMarker);
      void cache.clear();
    }
  };
  follow();
  return session.subscribe(follow);
}

/** The parts of the client that make the kept cache a fallback; see cacheFallback. */
export interface CacheFallback {
  /** The storage to give offlineExchange: it also tells when the cache is loaded. */
  storage: StorageAdapter;
  /** Goes before offlineExchange. */
  exchange: Exchange;
  /** offlineExchange's isOfflineError. */
  isOfflineError: (error: CombinedError | undefined, result: OperationResult) => boolean;
}

/**
 * cacheFallback makes the kept cache answer only when the network cannot.
 * Its exchange holds operations until the kept cache is loaded (so that
 * offlineExchange does not cancel and resend a request made meanwhile), then
 * sends a catalog query the client has not had answered yet to the network
 * (network-only) even when the kept cache could answer it. When the shop
 * cannot be reached, offlineExchange answers from the cache; when the cache
 * has nothing either, the page gets the network error, so it says the shop
 * cannot be reached rather than showing nothing.
 */
export function cacheFallback(storage: StorageAdapter, online: () => boolean = () => navigator.onLine): CacheFallback {
  let loaded!: () => void;
  const ready = new Promise<void>((resolve) => {
    loaded = resolve;
  });
  let isReady = false;
  void ready.then(() => {
    isReady = true;
  });
  const answered = new Set<number>();
  const unreachable = new Map<number, CombinedError>();

  const networkFirst = (op: Operation): Operation =>
    op.kind === 'query' && op.context.requestPolicy === 'cache-first' && !answered.has(op.key) && readsCatalog(op.query)
      ? makeOperation(op.kind, op, { ...op.context, requestPolicy: 'network-only' })
      : op;

  return {
    storage: {
      ...storage,
      onCacheHydrated() {
        storage.onCacheHydrated?.();
        loaded();
      },
    },
    exchange: mapExchange({
      onOperation: (op) => (isReady ? networkFirst(op) : ready.then(() => networkFirst(op))),
      onResult(result) {
        const { key, context } = result.operation;
        if (result.data != null) {
          // An answer from the cache alone does not count: next time, ask the network again.
          if (context.requestPolicy !== 'cache-only') answered.add(key);
          unreachable.delete(key);
          return result;
        }
        const lost = unreachable.get(key);
        if (lost && context.requestPolicy === 'cache-only' && !result.error) {
          unreachable.delete(key);
          return { ...result, error: lost };
        }
        return result;
      },
    }),
    isOfflineError(error, result) {
      const offline =
        error?.networkError !== undefined &&
        !error.response &&
        (!online() || /request failed|failed to fetch|network\s?error|load failed/i.test(error.networkError.message));
      if (offline && error && result.operation.kind === 'query') unreachable.set(result.operation.key, error);
      return offline;
    },
  };
}

/** readsCatalog says whether an operation asks a catalog field at its top, which the kept cache may hold. */
export function readsCatalog(document: DocumentNode): boolean {
  for (const definition of document.definitions) {
    if (definition.kind !== 'OperationDefinition') continue;
    return definition.selectionSet.selections.some((s) => s.kind === 'Field' && catalogQueryFields.has(s.name.value));
  }
  return false;
}
