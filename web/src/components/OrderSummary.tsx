import { graphql, readFragment, type FragmentType } from '../generated';
import { formatMoney } from '../lib/money';
import { orderDate, orderStatusWords } from '../lib/orders';

export const OrderSummaryFragment = graphql(`
  fragment OrderSummary_order on Order {
    id
    number
    status
    paymentStatus
    email
    createdAt
    shippingMethod
    lines {
      sku
      productName
      variantName
      quantity
      unitPrice {
        amount
        currencyCode
      }
      total {
        amount
        currencyCode
      }
    }
    subtotal {
      amount
      currencyCode
    }
    shipping {
      amount
      currencyCode
    }
    tax {
      amount
      currencyCode
    }
    total {
      amount
      currencyCode
    }
    shippingAddress {
      name
      line1
      line2
      city
      region
      postalCode
      country
    }
  }
`);

const methods: Record<string, string> = { STANDARD: 'Standard shipping', EXPRESS: 'Express shipping' };

/** OrderSummary shows what an order holds, what it cost and where it goes. */
export function OrderSummary(props: { order: FragmentType<typeof OrderSummaryFragment> }) {
  const o = readFragment(OrderSummaryFragment, props.order);
  const a = o.shippingAddress;
  return (
    <div className="order-summary">
      <dl className="order-facts">
        <dt>Order</dt>
        <dd>{o.number}</dd>
        <dt>Placed</dt>
        <dd>
          <time dateTime={o.createdAt}>{orderDate(o.createdAt)}</time>
        </dd>
        <dt>Status</dt>
        <dd>{orderStatusWords(o.status)}</dd>
        <dt>Email</dt>
        <dd>{o.email}</dd>
      </dl>
      <h2>Items</h2>
      <ul className="plain order-lines">
        {o.lines.map((l) => (
          <li key={l.sku}>
            <span>
              {l.productName}, {l.variantName} × {l.quantity}
            </span>
            <span>{formatMoney(l.total)}</span>
          </li>
        ))}
      </ul>
      <dl className="totals">
        <dt>Subtotal</dt>
        <dd>{formatMoney(o.subtotal)}</dd>
        <dt>{methods[o.shippingMethod] ?? 'Shipping'}</dt>
        <dd>{formatMoney(o.shipping)}</dd>
        <dt>Tax</dt>
        <dd>{formatMoney(o.tax)}</dd>
        <dt>Total</dt>
        <dd>{formatMoney(o.total)}</dd>
      </dl>
      <h2>Shipping to</h2>
      <address>
        {a.name}
        <br />
        {a.line1}
        {a.line2 && (
          <>
            <br />
            {a.line2}
          </>
        )}
        <br />
        {[a.city, a.region, a.postalCode].filter(Boolean).join(', ')}
        <br />
        {a.country}
      </address>
    </div>
  );
}
