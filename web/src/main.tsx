import { makeDefaultStorage } from '@urql/exchange-graphcache/default-storage';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { browserSession } from './auth/session';
import { SessionProvider } from './auth/SessionProvider';
import { catalogOnly, clearWhenSessionEnds } from './graphql/offline';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
const session = browserSession();
// The catalog kept for offline use (a week at most), cleared when a session ends;
// subscribed before the app so the clearing starts before the next client loads.
const offlineStorage = catalogOnly(makeDefaultStorage({ idbName: 'shopgraph-catalog', maxAge: 7 }));
clearWhenSessionEnds(session, offlineStorage, window.localStorage);
createRoot(root).render(
  <StrictMode>
    <SessionProvider session={session} offlineStorage={offlineStorage}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </SessionProvider>
  </StrictMode>,
);
