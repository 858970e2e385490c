import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../auth/SessionProvider';

/** RequireSignIn shows its page to a signed-in shopper and sends anyone else to sign in, then back. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { signedIn } = useSession();
  const { pathname, search } = useLocation();
  if (!signedIn) return <Navigate to="/signin" replace state={{ from: pathname + search }} />;
  return children;
}
