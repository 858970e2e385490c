import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { graphql, readFragment, type FragmentType } from '../generated';
import { formatMoney } from '../lib/money';
import {
  listingParams,
  parseListing,
  toggleOption,
  withInStock,
  withPrice,
  withSort,
  type ListingState,
  type Sort,
} from '../lib/listing';
import { Pagination } from './Pagination';
import { ProductGrid } from './ProductCard';

export const ListingFragment = graphql(`
  fragment Listing_connection on ProductConnection {
    totalCount
    edges {
      node {
        id
        ...ProductCard_product
      }
    }
    pageInfo {
      ...Pagination_pageInfo
    }
    facets {
      categories {
        category {
          id
          slug
          name
        }
        count
      }
      options {
        name
        values {
          value
          count
        }
      }
      priceBands {
        min {
          amount
          currencyCode
        }
        max {
          amount
          currencyCode
        }
        count
      }
    }
  }
`);

const sortLabels: Record<Sort, string> = {
  RELEVANCE: 'Best match',
  NEWEST: 'Newest',
  PRICE_ASC: 'Price, low to high',
  PRICE_DESC: 'Price, high to low',
  RATING: 'Best rated',
};

/** useListingState reads a listing's state from the URL and writes changes back to it. */
export function useListingState(): [ListingState, URLSearchParams, (s: ListingState) => void] {
  const [params, setParams] = useSearchParams();
  const state = parseListing(params);
  return [state, params, (s) => setParams(listingParams(s, params))];
}

/**
 * Listing shows a page of products with its filters (each value with the
 * number of products choosing it would give), its order and its pages.
 */
export function Listing(props: {
  connection: FragmentType<typeof ListingFragment>;
  sorts: readonly Sort[];
  /** Categories to offer as facets (a category page's subcategories); none on other listings. */
  subcategories?: readonly string[];
}) {
  const c = readFragment(ListingFragment, props.connection);
  const [state, params, setState] = useListingState();
  const ids = useId();
  const subcategories = new Set(props.subcategories ?? []);
  const categoryFacets = c.facets.categories.filter((f) => subcategories.has(f.category.id));
  const chosenBand = c.facets.priceBands.find(
    (b) => b.min.amount === state.minPrice && (b.max?.amount ?? undefined) === state.maxPrice,
  );
  return (
    <div className="listing">
      <aside className="filters" aria-label="Filters">
        {categoryFacets.length > 0 && (
          <section>
            <h2>Categories</h2>
            <ul className="plain">
              {categoryFacets.map((f) => (
                <li key={f.category.id}>
                  <Link to={`/c/${f.category.slug}`}>{f.category.name}</Link> <span className="muted">({f.count})</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        <fieldset>
          <legend>Price</legend>
          <label>
            <input type="radio" name={`${ids}-price`} checked={!chosenBand} onChange={() => setState(withPrice(state))} />
            Any price
          </label>
          {c.facets.priceBands.map((b) => (
            <label key={b.min.amount}>
              <input
                type="radio"
                name={`${ids}-price`}
                checked={b === chosenBand}
                disabled={b.count === 0 && b !== chosenBand}
                onChange={() => setState(withPrice(state, b.min.amount, b.max?.amount))}
              />
              {b.max ? `${formatMoney(b.min)} to ${formatMoney(b.max)}` : `${formatMoney(b.min)} and above`}{' '}
              <span className="muted">({b.count})</span>
            </label>
          ))}
        </fieldset>
        {c.facets.options.map((o) => (
          <fieldset key={o.name}>
            <legend>{o.name}</legend>
            {o.values.map((v) => {
              const checked = state.options[o.name]?.includes(v.value) ?? false;
              return (
                <label key={v.value}>
                  <input
                    type="checkbox"
                    checked={checked}
                    disabled={v.count === 0 && !checked}
                    onChange={() => setState(toggleOption(state, o.name, v.value))}
                  />
                  {v.value} <span className="muted">({v.count})</span>
                </label>
              );
            })}
          </fieldset>
        ))}
        <fieldset>
          <legend>Availability</legend>
          <label>
            <input type="checkbox" checked={state.inStock} onChange={(e) => setState(withInStock(state, e.target.checked))} />
            In stock only
          </label>
        </fieldset>
      </aside>
      <section className="results" aria-labelledby={`${ids}-count`}>
        <div className="results-bar">
          <p id={`${ids}-count`} role="status">
            {c.totalCount === 1 ? '1 product' : `${c.totalCount.toLocaleString('en-US')} products`}
          </p>
          <label>
            Sort by{' '}
            <select
              value={state.sort ?? props.sorts[0]}
              onChange={(e) => setState(withSort(state, e.target.value as Sort))}
            >
              {props.sorts.map((s) => (
                <option key={s} value={s}>
                  {sortLabels[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {c.edges.length === 0 ? (
          <p className="empty">No products match these filters. Try removing one.</p>
        ) : (
          <ProductGrid products={c.edges.map((e) => e.node)} label="Products" />
        )}
        <Pagination pageInfo={c.pageInfo} state={state} params={params} />
      </section>
    </div>
  );
}
