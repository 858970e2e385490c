import { useParams } from 'react-router';
import { useQuery } from 'urql';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { Listing, useListingState } from '../components/Listing';
import { LoadError, Loading, useLastData, useTitle } from '../components/Status';
import { graphql } from '../generated';
import { listingFilter, listingPage } from '../lib/listing';
import { NotFoundPage } from './NotFoundPage';

const CategoryPageQuery = graphql(`
  query CategoryPage(
    $slug: String!
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: ProductFilter
    $sort: ProductSort
  ) {
    category(slug: $slug) {
      id
      name
      children {
        id
      }
      ...Breadcrumbs_category
      products(first: $first, after: $after, last: $last, before: $before, filter: $filter, sort: $sort) {
        ...Listing_connection
      }
    }
  }
`);

const sorts = ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'RATING'] as const;

/** CategoryPage lists a category's products (its subcategories' included) with filters, order and pages from the URL. */
export function CategoryPage() {
  const { slug = '' } = useParams();
  const [state] = useListingState();
  const [{ data: answer, error, fetching }] = useQuery({
    query: CategoryPageQuery,
    variables: { slug, ...listingPage(state), filter: listingFilter(state, {}), sort: state.sort },
  });
  const data = useLastData(answer);
  useTitle(data?.category?.name);
  if (fetching && !data) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  const c = data.category;
  if (!c) return <NotFoundPage what="category" />;
  return (
    <>
      <Breadcrumbs category={c} current />
      <h1>{c.name}</h1>
      <Listing connection={c.products} sorts={sorts} subcategories={c.children.map((s) => s.id)} />
    </>
  );
}
