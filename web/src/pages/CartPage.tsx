import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { LoadError, Loading, useTitle } from '../components/Status';
import { graphql } from '../generated';
import { cartId } from '../lib/cartId';
import { formatMoney } from '../lib/money';

const CartPageQuery = graphql(`
  query CartPage($id: ID!) {
    cart(id: $id) {
      id
      totalQuantity
      subtotal {
        amount
        currencyCode
      }
      lines {
        id
        quantity
        unitPrice {
          amount
          currencyCode
        }
        total {
          amount
          currencyCode
        }
        warnings {
          code
          message
        }
        variant {
          id
          name
          quantityAvailable
          product {
            id
            slug
            name
            images {
              url
              alt
              width
              height
            }
          }
        }
      }
    }
  }
`);

// Both mutations return the lines and totals the page shows, so the cache
// updates the page without asking again.
const CartLinesUpdate = graphql(`
  mutation CartLinesUpdate($cartId: ID!, $lines: [CartLineUpdateInput!]!) {
    cartLinesUpdate(cartId: $cartId, lines: $lines) {
      cart {
        id
        totalQuantity
        subtotal {
          amount
          currencyCode
        }
        lines {
          id
          quantity
          total {
            amount
            currencyCode
          }
          warnings {
            code
            message
          }
        }
      }
      userErrors {
        message
      }
    }
  }
`);

const CartLinesRemove = graphql(`
  mutation CartLinesRemove($cartId: ID!, $variantIds: [ID!]!) {
    cartLinesRemove(cartId: $cartId, variantIds: $variantIds) {
      cart {
        id
        totalQuantity
        subtotal {
          amount
          currencyCode
        }
        lines {
          id
        }
      }
      userErrors {
        message
      }
    }
  }
`);

/** Quantities offered for a line, more when the line holds more already. */
const quantityChoices = 10;

/** CartPage shows the cart's lines with their warnings, lets the shopper change quantities, and totals it. */
export function CartPage() {
  useTitle('Cart');
  const id = cartId();
  const navigate = useNavigate();
  const [{ data, error, fetching }] = useQuery({
    query: CartPageQuery,
    variables: { id: id ?? '' },
    pause: !id,
    // Prices, stock and (after a checkout) the lines change on the server: show the cache, then the API's answer.
    requestPolicy: 'cache-and-network',
  });
  const [update, updateLines] = useMutation(CartLinesUpdate);
  const [remove, removeLines] = useMutation(CartLinesRemove);
  const refusal =
    update.data?.cartLinesUpdate.userErrors[0]?.message ?? remove.data?.cartLinesRemove.userErrors[0]?.message;
  const busy = update.fetching || remove.fetching;

  if (id && fetching && !data) return <Loading />;
  if (id && !data && error) return <LoadError error={error} />;
  const cart = data?.cart;
  if (!cart || cart.lines.length === 0) {
    return (
      <>
        <h1>Your cart</h1>
        <p className="empty">
          Your cart is empty. <Link to="/">Continue shopping</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Your cart</h1>
      {refusal && (
        <p role="alert" className="error">
          {refusal}
        </p>
      )}
      <ul className="plain cart-lines">
        {cart.lines.map((l) => {
          const image = l.variant.product.images[0];
          const name = `${l.variant.product.name}, ${l.variant.name}`;
          return (
            <li key={l.id} className="cart-line">
              {image && <img src={image.url} alt="" width={96} height={96} loading="lazy" />}
              <div>
                <Link to={`/p/${l.variant.product.slug}?variant=${encodeURIComponent(l.variant.id)}`}>
                  {l.variant.product.name}
                </Link>
                <p className="muted">{l.variant.name}</p>
                {l.warnings.map((w) => (
                  <p key={w.code} className="warning">
                    {w.message}
                  </p>
                ))}
              </div>
              <label>
                Quantity
                <select
                  aria-label={`Quantity of ${name}`}
                  value={l.quantity}
                  disabled={busy}
                  onChange={(e) =>
                    updateLines({ cartId: cart.id, lines: [{ variantId: l.variant.id, quantity: Number(e.target.value) }] })
                  }
                >
                  {Array.from({ length: Math.max(l.quantity, quantityChoices) }, (_, i) => i + 1).map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </label>
              <p className="line-total">{l.total ? formatMoney(l.total) : 'Unavailable'}</p>
              <button
                type="button"
                className="link-button"
                aria-label={`Remove ${name}`}
                disabled={busy}
                onClick={() => removeLines({ cartId: cart.id, variantIds: [l.variant.id] })}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      <dl className="totals">
        <dt>Items</dt>
        <dd>{cart.totalQuantity}</dd>
        <dt>Subtotal</dt>
        <dd>{cart.subtotal ? formatMoney(cart.subtotal) : '—'}</dd>
      </dl>
      <p className="muted">Shipping and tax are worked out at checkout.</p>
      <button type="button" className="primary" disabled={busy} onClick={() => navigate('/checkout')}>
        Checkout
      </button>
    </>
  );
}
