import { Link } from 'react-router';
import { graphql, readFragment, type FragmentType } from '../generated';
import { formatPriceRange } from '../lib/money';
import { Stars } from './Stars';

export const ProductCardFragment = graphql(`
  fragment ProductCard_product on Product {
    id
    slug
    name
    images {
      url
      alt
      width
      height
    }
    priceRange {
      min {
        amount
        currencyCode
      }
      max {
        amount
        currencyCode
      }
    }
    ratingSummary {
      average
      count
    }
  }
`);

/** ProductCard is a product in a grid: picture, name, price and rating. */
export function ProductCard(props: { product: FragmentType<typeof ProductCardFragment>; eager?: boolean }) {
  const p = readFragment(ProductCardFragment, props.product);
  const image = p.images[0];
  return (
    <article className="card">
      <Link to={`/p/${p.slug}`}>
        {image && (
          <img
            src={image.url}
            alt=""
            width={image.width}
            height={image.height}
            loading={props.eager ? 'eager' : 'lazy'}
            decoding="async"
          />
        )}
        <h3>{p.name}</h3>
      </Link>
      <p className="price">{formatPriceRange(p.priceRange.min, p.priceRange.max)}</p>
      {p.ratingSummary.average != null && (
        <p className="rating">
          <Stars rating={p.ratingSummary.average} /> <span className="muted">({p.ratingSummary.count})</span>
        </p>
      )}
    </article>
  );
}

/** ProductGrid lays out product cards; the first row loads its images at once. */
export function ProductGrid(props: {
  products: readonly ({ id: string } & FragmentType<typeof ProductCardFragment>)[];
  label: string;
}) {
  return (
    <ul className="grid" aria-label={props.label}>
      {props.products.map((p, i) => (
        <li key={p.id}>
          <ProductCard product={p} eager={i < 4} />
        </li>
      ))}
    </ul>
  );
}
