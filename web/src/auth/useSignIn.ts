import { useClient } from 'urql';
import { graphql, readFragment, type FragmentType } from '../generated';
import { cartId, keepCartId } from '../lib/cartId';
import { SessionTokensFragment } from './session';
import { useSession } from './SessionProvider';

const CartAttachToUser = graphql(`
  mutation CartAttachToUser($cartId: ID!) {
    cartAttachToUser(cartId: $cartId) {
      cart {
        id
      }
      userErrors {
        code
      }
    }
  }
`);

/**
 * useStartSession returns what to do with the tokens of a sign-in or sign-up:
 * keep them, then hand the guest cart to the account (merging it into the
 * account's cart when there is one) so nothing the guest chose is lost.
 */
export function useStartSession(): (tokens: FragmentType<typeof SessionTokensFragment>) => Promise<void> {
  const { session } = useSession();
  const client = useClient();
  return async (masked) => {
    session.start(readFragment(SessionTokensFragment, masked));
    const guestCart = cartId();
    if (!guestCart) return;
    const res = await client.mutation(CartAttachToUser, { cartId: guestCart }).toPromise();
    const cart = res.data?.cartAttachToUser.cart;
    if (cart) keepCartId(cart.id);
  };
}
