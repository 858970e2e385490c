import { useQuery } from 'urql';
import { Listing, useListingState } from '../components/Listing';
import { LoadError, Loading, useLastData, useTitle } from '../components/Status';
import { graphql } from '../generated';
import { listingFilter, listingPage, sorts } from '../lib/listing';

const SearchPageQuery = graphql(`
  query SearchPage($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter!, $sort: ProductSort) {
    products(first: $first, after: $after, last: $last, before: $before, filter: $filter, sort: $sort) {
      ...Listing_connection
    }
  }
`);

/** SearchPage shows the products matching ?q=, best match first, with the listing's filters. */
export function SearchPage() {
  const [state, params] = useListingState();
  const q = (params.get('q') ?? '').trim();
  useTitle(q ? `Search: ${q}` : 'Search');
  const [{ data: answer, error, fetching }] = useQuery({
    query: SearchPageQuery,
    variables: { ...listingPage(state), filter: listingFilter(state, { search: q }), sort: state.sort },
    pause: q === '',
  });
  const data = useLastData(answer);
  if (q === '') {
    return (
      <>
        <h1>Search</h1>
        <p className="empty">Type what you are looking for in the search box above.</p>
      </>
    );
  }
  return (
    <>
      <h1>Results for “{q}”</h1>
      {fetching && !data ? (
        <Loading />
      ) : data ? (
        <Listing connection={data.products} sorts={sorts} />
      ) : (
        error && <LoadError error={error} />
      )}
    </>
  );
}
