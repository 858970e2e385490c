import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { StorageAdapter } from '@urql/exchange-graphcache';
import { Provider } from 'urql';
import { createStoreClient } from '../graphql/client';
import type { Session } from './session';

interface SessionState {
  session: Session;
  signedIn: boolean;
}

const SessionContext = createContext<SessionState | null>(null);

/**
 * SessionProvider gives the app the shopper's session and a GraphQL client.
 * Signing in or out starts a new client, so that nothing cached for one
 * shopper (their cart, their account) is shown to the next. Every client
 * keeps the catalog in offlineStorage when there is one.
 */
export function SessionProvider({
  session,
  offlineStorage,
  children,
}: {
  session: Session;
  offlineStorage?: StorageAdapter;
  children: ReactNode;
}) {
  const signedIn = useSyncExternalStore(
    (fn) => session.subscribe(fn),
    () => session.signedIn,
  );
  const client = useMemo(() => createStoreClient(session.fetch, offlineStorage), [session, offlineStorage, signedIn]);
  const state = useMemo(() => ({ session, signedIn }), [session, signedIn]);
  return (
    <SessionContext value={state}>
      <Provider value={client}>{children}</Provider>
    </SessionContext>
  );
}

/** useSession is the shopper's session and whether they are signed in. */
export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
