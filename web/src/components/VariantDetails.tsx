import { graphql, readFragment, type FragmentType } from '../generated';
import { formatMoney } from '../lib/money';

export const VariantDetailsFragment = graphql(`
  fragment VariantDetails_variant on ProductVariant {
    id
    sku
    name
    price {
      amount
      currencyCode
    }
    compareAtPrice {
      amount
      currencyCode
    }
    stockLevel
    quantityAvailable
    shippingEstimate(country: $country) {
      amount
      currencyCode
    }
  }
`);

/** VariantDetails shows what the selected variant costs, whether it is in stock and what shipping it costs. */
export function VariantDetails(props: { variant: FragmentType<typeof VariantDetailsFragment>; countryName: string }) {
  const v = readFragment(VariantDetailsFragment, props.variant);
  return (
    <div className="variant-details">
      <p className="price big">
        {v.compareAtPrice && (
          <>
            <del aria-label={`Was ${formatMoney(v.compareAtPrice)}`}>{formatMoney(v.compareAtPrice)}</del>{' '}
          </>
        )}
        <span>{formatMoney(v.price)}</span>
      </p>
      <p className={`stock ${v.stockLevel.toLowerCase()}`}>
        {v.stockLevel === 'IN_STOCK' && 'In stock'}
        {v.stockLevel === 'LOW_STOCK' && `Only ${v.quantityAvailable} left`}
        {v.stockLevel === 'OUT_OF_STOCK' && 'Sold out'}
      </p>
      <p className="shipping">
        {v.shippingEstimate
          ? `Standard shipping to ${props.countryName}: ${formatMoney(v.shippingEstimate)}`
          : `We cannot estimate shipping to ${props.countryName}.`}
      </p>
      <p className="muted">SKU {v.sku}</p>
    </div>
  );
}
