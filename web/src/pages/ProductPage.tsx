import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useSession } from '../auth/SessionProvider';
import { AddToCart } from '../components/AddToCart';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { Reviews } from '../components/Reviews';
import { LoadError, Loading, useLastData, useTitle } from '../components/Status';
import { VariantDetails } from '../components/VariantDetails';
import { VariantPicker } from '../components/VariantPicker';
import { WriteReview } from '../components/WriteReview';
import { graphql } from '../generated';
import { initialVariant } from '../lib/variants';
import { NotFoundPage } from './NotFoundPage';

const ProductPageQuery = graphql(`
  query ProductPage($slug: String!, $country: String!) {
    product(slug: $slug) {
      id
      name
      description
      images {
        url
        alt
        width
        height
      }
      category {
        id
        ...Breadcrumbs_category
      }
      variants {
        id
        stockLevel
        selectedOptions {
          name
          value
        }
        ...VariantDetails_variant
      }
      ...VariantPicker_product
      ratingSummary {
        ...RatingSummary_summary
      }
      reviews(first: 5) {
        ...Reviews_connection
      }
    }
    shippingRates {
      countryCode
      countryName
    }
  }
`);

/** Where shipping is estimated to until the shopper picks a country. */
const defaultCountry = 'US';

/**
 * ProductPage shows a product with its images, option pickers, the selected
 * variant's price, stock and shipping estimate, and its reviews. The variant
 * and the shipping country are in the URL (?variant=, ?country=).
 */
export function ProductPage() {
  const { slug = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const country = params.get('country') ?? defaultCountry;
  const { signedIn } = useSession();
  const { pathname, search } = useLocation();
  const [{ data: answer, error, fetching }] = useQuery({ query: ProductPageQuery, variables: { slug, country } });
  const data = useLastData(answer);
  useTitle(data?.product?.name);
  if (fetching && !data) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  const p = data.product;
  if (!p) return <NotFoundPage what="product" />;
  const variant = initialVariant(p.variants, params.get('variant'));
  const countries = data.shippingRates.filter((r) => r.countryCode !== null);
  const countryName = countries.find((r) => r.countryCode === country)?.countryName ?? country;
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    setParams(next, { replace: true });
  };
  return (
    <>
      {p.category && <Breadcrumbs category={p.category} />}
      <article className="product">
        {/* On a phone the images scroll sideways; the region takes focus so keys can scroll it. */}
        <section className="gallery" aria-label="Product images" tabIndex={0}>
          {p.images.map((img, i) => (
            <img
              key={img.url}
              src={img.url}
              alt={img.alt}
              width={img.width}
              height={img.height}
              loading={i === 0 ? 'eager' : 'lazy'}
              decoding="async"
            />
          ))}
        </section>
        <div className="buy">
          <h1>{p.name}</h1>
          {variant && (
            <>
              <VariantPicker product={p} selectedId={variant.id} onSelect={(id) => set('variant', id)} />
              <VariantDetails variant={variant} countryName={countryName} />
              <label className="country">
                Ship to{' '}
                <select value={country} onChange={(e) => set('country', e.target.value)}>
                  {countries.map((r) => (
                    <option key={r.countryCode} value={r.countryCode ?? ''}>
                      {r.countryName}
                    </option>
                  ))}
                </select>
              </label>
              <AddToCart variantId={variant.id} soldOut={variant.stockLevel === 'OUT_OF_STOCK'} />
            </>
          )}
          <p className="description">{p.description}</p>
        </div>
      </article>
      <Reviews summary={p.ratingSummary} reviews={p.reviews}>
        {signedIn ? (
          <WriteReview key={p.id} productId={p.id} />
        ) : (
          <p>
            <Link to="/signin" state={{ from: pathname + search }}>
              Sign in
            </Link>{' '}
            to write a review.
          </p>
        )}
      </Reviews>
    </>
  );
}
