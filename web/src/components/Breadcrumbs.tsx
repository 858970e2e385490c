import { Link } from 'react-router';
import { graphql, readFragment, type FragmentType } from '../generated';

export const BreadcrumbsFragment = graphql(`
  fragment Breadcrumbs_category on Category {
    breadcrumbs {
      id
      slug
      name
    }
  }
`);

/** Breadcrumbs is the path from the shop down to a category; current marks the last as the page itself. */
export function Breadcrumbs(props: { category: FragmentType<typeof BreadcrumbsFragment>; current?: boolean }) {
  const c = readFragment(BreadcrumbsFragment, props.category);
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        <li>
          <Link to="/">Home</Link>
        </li>
        {c.breadcrumbs.map((b, i) => (
          <li key={b.id}>
            {props.current && i === c.breadcrumbs.length - 1 ? (
              <span aria-current="page">{b.name}</span>
            ) : (
              <Link to={`/c/${b.slug}`}>{b.name}</Link>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
