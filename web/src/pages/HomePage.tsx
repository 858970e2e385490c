import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ProductGrid } from '../components/ProductCard';
import { LoadError, Loading, useTitle } from '../components/Status';
import { graphql } from '../generated';

const HomePageQuery = graphql(`
  query HomePage {
    categories {
      id
      slug
      name
      children {
        id
        slug
        name
      }
    }
    featured: products(first: 8, sort: RATING, filter: { inStock: true }) {
      edges {
        node {
          id
          ...ProductCard_product
        }
      }
    }
    newest: products(first: 4, sort: NEWEST, filter: { inStock: true }) {
      edges {
        node {
          id
          ...ProductCard_product
        }
      }
    }
  }
`);

/** HomePage shows the category tree and the best-rated and newest products. */
export function HomePage() {
  useTitle(undefined);
  const [{ data, error, fetching }] = useQuery({ query: HomePageQuery });
  if (fetching && !data) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  return (
    <>
      <h1 className="visually-hidden">shopgraph</h1>
      <section aria-labelledby="home-categories">
        <h2 id="home-categories">Shop by category</h2>
        <ul className="categories">
          {data.categories.map((c) => (
            <li key={c.id}>
              <Link to={`/c/${c.slug}`} className="category-root">
                {c.name}
              </Link>
              <ul className="plain">
                {c.children.map((s) => (
                  <li key={s.id}>
                    <Link to={`/c/${s.slug}`}>{s.name}</Link>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="home-featured">
        <h2 id="home-featured">Best rated</h2>
        <ProductGrid products={data.featured.edges.map((e) => e.node)} label="Best rated products" />
      </section>
      <section aria-labelledby="home-new">
        <h2 id="home-new">New in</h2>
        <ProductGrid products={data.newest.edges.map((e) => e.node)} label="New products" />
      </section>
    </>
  );
}
