// The state of a product listing (category or search results) and its URL.
// The URL is the source of truth: a listing can be shared, reloaded and walked
// back and forth with the browser's buttons. Parameters:
//   sort=PRICE_ASC        one of the API's ProductSort values
//   price=25.00-50.00     a price band, min inclusive, max exclusive; "200.00-" has no max
//   inStock=1             only what can be bought now
//   opt=Size:M&opt=Size:L option values (any of a name's values, every name)
//   after=<cursor> or before=<cursor>  the page

/** The orders a listing can have, as the API names them. */
export const sorts = ['RELEVANCE', 'NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'RATING'] as const;
export type Sort = (typeof sorts)[number];

/** What a shopper chose on a listing. */
export interface ListingState {
  sort?: Sort;
  minPrice?: string;
  maxPrice?: string;
  inStock: boolean;
  /** Option name to the chosen values, each list sorted. */
  options: Record<string, string[]>;
  after?: string;
  before?: string;
}

/** The filter a listing sends, shaped like the API's ProductFilter. */
export interface ListingFilter {
  categoryId?: string;
  search?: string;
  minPrice?: string;
  maxPrice?: string;
  inStock?: boolean;
  options?: { name: string; values: string[] }[];
}

/** Products on one page of a listing. */
export const pageSize = 24;

const amount = /^\d+(\.\d+)?$/;

/** parseListing reads a listing's state from a URL's query, ignoring what it does not understand. */
export function parseListing(params: URLSearchParams): ListingState {
  const state: ListingState = { inStock: params.get('inStock') === '1', options: {} };
  const sort = params.get('sort');
  if (sort && (sorts as readonly string[]).includes(sort)) state.sort = sort as Sort;
  const price = params.get('price');
  if (price) {
    const [min, max, extra] = price.split('-');
    if (extra === undefined && amount.test(min) && (max === '' || amount.test(max))) {
      state.minPrice = min;
      if (max !== '') state.maxPrice = max;
    }
  }
  for (const opt of params.getAll('opt')) {
    const at = opt.indexOf(':');
    if (at <= 0 || at === opt.length - 1) continue;
    const name = opt.slice(0, at);
    const value = opt.slice(at + 1);
    const values = (state.options[name] ??= []);
    if (!values.includes(value)) values.push(value);
  }
  for (const values of Object.values(state.options)) values.sort();
  const after = params.get('after');
  const before = params.get('before');
  if (after) state.after = after;
  else if (before) state.before = before;
  return state;
}

/**
 * listingParams writes a listing's state as a URL query in one canonical
 * order, so that equal states give equal URLs. Other parameters (such as a
 * search's q) are kept from base.
 */
export function listingParams(state: ListingState, base?: URLSearchParams): URLSearchParams {
  const p = new URLSearchParams();
  if (base) {
    for (const [k, v] of base) {
      if (!['sort', 'price', 'inStock', 'opt', 'after', 'before'].includes(k)) p.append(k, v);
    }
  }
  if (state.sort) p.set('sort', state.sort);
  if (state.minPrice !== undefined) p.set('price', `${state.minPrice}-${state.maxPrice ?? ''}`);
  if (state.inStock) p.set('inStock', '1');
  for (const name of Object.keys(state.options).sort()) {
    for (const value of [...state.options[name]].sort()) p.append('opt', `${name}:${value}`);
  }
  if (state.after) p.set('after', state.after);
  else if (state.before) p.set('before', state.before);
  return p;
}

/** listingFilter turns a listing's state into the API's filter. */
export function listingFilter(state: ListingState, scope: { categoryId?: string; search?: string }): ListingFilter {
  const f: ListingFilter = { ...scope };
  if (state.minPrice !== undefined) f.minPrice = state.minPrice;
  if (state.maxPrice !== undefined) f.maxPrice = state.maxPrice;
  if (state.inStock) f.inStock = true;
  const names = Object.keys(state.options).filter((n) => state.options[n].length > 0).sort();
  if (names.length > 0) f.options = names.map((name) => ({ name, values: state.options[name] }));
  return f;
}

/** listingPage gives the paging arguments of a listing's state. */
export function listingPage(state: ListingState): { first?: number; after?: string; last?: number; before?: string } {
  if (state.before) return { last: pageSize, before: state.before };
  return state.after ? { first: pageSize, after: state.after } : { first: pageSize };
}

// Every change of the filter or the order goes back to the first page: the
// cursors belong to the listing they were made for.
function firstPage(state: ListingState): ListingState {
  const { after: _after, before: _before, ...rest } = state;
  return rest;
}

/** toggleOption adds an option value to the filter, or takes it out. */
export function toggleOption(state: ListingState, name: string, value: string): ListingState {
  const current = state.options[name] ?? [];
  const values = current.includes(value) ? current.filter((v) => v !== value) : [...current, value].sort();
  const options = { ...state.options, [name]: values };
  if (values.length === 0) delete options[name];
  return { ...firstPage(state), options };
}

/** withPrice sets a price band (max undefined for the open top band), or clears it without min. */
export function withPrice(state: ListingState, min?: string, max?: string): ListingState {
  const next = firstPage(state);
  delete next.minPrice;
  delete next.maxPrice;
  if (min !== undefined) next.minPrice = min;
  if (min !== undefined && max !== undefined) next.maxPrice = max;
  return next;
}

/** withSort changes the order. */
export function withSort(state: ListingState, sort: Sort | undefined): ListingState {
  const next = firstPage(state);
  if (sort) next.sort = sort;
  else delete next.sort;
  return next;
}

/** withInStock shows only what can be bought now, or everything. */
export function withInStock(state: ListingState, inStock: boolean): ListingState {
  return { ...firstPage(state), inStock };
}

/** withPage moves to the page after or before a cursor. */
export function withPage(state: ListingState, page: { after: string } | { before: string }): ListingState {
  return { ...firstPage(state), ...page };
}
