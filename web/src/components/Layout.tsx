import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { useMutation } from 'urql';
import { useSession } from '../auth/SessionProvider';
import { graphql } from '../generated';
import { forgetCartId } from '../lib/cartId';
import { SearchBox } from './SearchBox';

const SignOut = graphql(`
  mutation SignOut($refreshToken: String!) {
    signOut(refreshToken: $refreshToken) {
      userErrors {
        code
      }
    }
  }
`);

/** Layout is the frame of every page: header with search, account and cart, the page, a footer. */
export function Layout() {
  const { session, signedIn } = useSession();
  const [, signOut] = useMutation(SignOut);
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);
  // After moving to another page, start keyboard and screen-reader users at its content.
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [pathname]);
  const onSignOut = () => {
    // The kept cart is the account's now: the next guest starts a cart of their own.
    forgetCartId();
    const refreshToken = session.end();
    // Revoke the session on the server too; the page does not wait for it.
    if (refreshToken) void signOut({ refreshToken });
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          shopgraph
        </Link>
        <SearchBox />
        <nav aria-label="Account" className="account-nav">
          {signedIn ? (
            <>
              <Link to="/account">Account</Link>
              <Link to="/account/orders">Orders</Link>
              <button type="button" className="link-button" onClick={onSignOut}>
                Sign out
              </button>
            </>
          ) : (
            <Link to="/signin">Account</Link>
          )}
          <Link to="/cart" aria-label="Cart" className="cart-link">
            Cart
          </Link>
        </nav>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>shopgraph demo store. Prices include no tax until checkout.</p>
      </footer>
    </>
  );
}
