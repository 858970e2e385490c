import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { graphql } from '../generated';
import { cartId, forgetCartId, keepCartId } from '../lib/cartId';

const CartCreate = graphql(`
  mutation CartCreate($lines: [CartLineInput!]!) {
    cartCreate(lines: $lines) {
      cart {
        id
        totalQuantity
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const CartLinesAdd = graphql(`
  mutation CartLinesAdd($cartId: ID!, $lines: [CartLineInput!]!) {
    cartLinesAdd(cartId: $cartId, lines: $lines) {
      cart {
        id
        totalQuantity
      }
      userErrors {
        code
        message
      }
    }
  }
`);

type Outcome = { ok: true; totalQuantity: number } | { ok: false; message: string };

/**
 * AddToCart puts one unit of a variant into the shopper's cart, starting a
 * cart (kept in this browser) when there is none or the kept one is gone.
 */
export function AddToCart(props: { variantId: string; soldOut: boolean }) {
  const [adding, setAdding] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [, create] = useMutation(CartCreate);
  const [, add] = useMutation(CartLinesAdd);

  const onAdd = async () => {
    setAdding(true);
    setOutcome(null);
    const lines = [{ variantId: props.variantId, quantity: 1 }];
    try {
      const id = cartId();
      let payload = id ? (await add({ cartId: id, lines })).data?.cartLinesAdd : undefined;
      if (!id || payload?.userErrors.some((e) => e.code === 'CART_NOT_FOUND')) {
        if (id) forgetCartId();
        payload = (await create({ lines })).data?.cartCreate;
      }
      if (payload?.cart) {
        keepCartId(payload.cart.id);
        setOutcome({ ok: true, totalQuantity: payload.cart.totalQuantity });
      } else {
        setOutcome({
          ok: false,
          message: payload?.userErrors[0]?.message ?? 'We could not add this to your cart. Please try again.',
        });
      }
    } finally {
      setAdding(false);
    }
  };

  return (
    <div className="add-to-cart">
      <button type="button" className="primary" disabled={props.soldOut || adding} onClick={onAdd}>
        Add to cart
      </button>
      <p role="status" className="status">
        {outcome?.ok && (
          <>
            Added. Your cart holds {outcome.totalQuantity} {outcome.totalQuantity === 1 ? 'item' : 'items'}.{' '}
            <Link to="/cart">View cart</Link>
          </>
        )}
      </p>
      {outcome && !outcome.ok && (
        <p role="alert" className="error">
          {outcome.message}
        </p>
      )}
    </div>
  );
}
