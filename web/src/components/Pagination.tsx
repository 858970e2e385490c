import { Link, useLocation } from 'react-router';
import { graphql, readFragment, type FragmentType } from '../generated';
import { listingParams, withPage, type ListingState } from '../lib/listing';

export const PaginationFragment = graphql(`
  fragment Pagination_pageInfo on PageInfo {
    hasNextPage
    hasPreviousPage
    startCursor
    endCursor
  }
`);

/** Pagination links to the listing's previous and next pages by cursor. */
export function Pagination(props: {
  pageInfo: FragmentType<typeof PaginationFragment>;
  state: ListingState;
  params: URLSearchParams;
}) {
  const info = readFragment(PaginationFragment, props.pageInfo);
  const { pathname } = useLocation();
  // Paging forward, the API may not know whether earlier pages exist; a cursor in the URL says they do.
  const hasPrevious = info.hasPreviousPage || props.state.after !== undefined;
  const hasNext = info.hasNextPage || props.state.before !== undefined;
  const href = (page: { after: string } | { before: string }) =>
    `${pathname}?${listingParams(withPage(props.state, page), props.params)}`;
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav aria-label="Pages" className="pagination">
      {hasPrevious && info.startCursor && <Link to={href({ before: info.startCursor })}>Previous page</Link>}
      {hasNext && info.endCursor && <Link to={href({ after: info.endCursor })}>Next page</Link>}
    </nav>
  );
}
