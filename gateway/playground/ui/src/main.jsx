// The shopgraph playground: GraphiQL 5 (schema docs, explorer, history, headers
// and variables editors) with a query plan panel, bundled by build.mjs into
// ../dist and served by the router from the binary (gateway/playground).
//
// GraphiQL imports Monaco lazily; build.mjs does not split, so Monaco and its
// CSS land in this bundle.
import '@graphiql/react/style.css';
import '@graphiql/plugin-doc-explorer/style.css';
import '@graphiql/plugin-history/style.css';
import 'graphiql/graphiql.css';
import './playground.css';

import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { createRoot } from 'react-dom/client';

import { createFetcher } from './fetcher.js';
import { createPlanStore } from './planStore.js';
import { makePlanIcon, makePlanPanel } from './PlanPanel.jsx';

// Monaco runs language services in workers; build.mjs builds them next to this
// file and defines their names, so they load from the binary, never a CDN.
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const name = label === 'json' || label === 'graphql' ? __WORKERS__[label] : __WORKERS__.editor;
    return new Worker(new URL(name, import.meta.url));
  },
};

// The Go handler writes the config into a JSON script tag (escaped by html/template).
function readConfig() {
  const el = document.getElementById('playground-config');
  const cfg = el ? JSON.parse(el.textContent || '{}') : {};
  return { endpoint: cfg.endpoint || '/graphql' };
}

const defaultQuery = `# Welcome to the shopgraph playground.
#
# Write an operation, run it with Ctrl-Enter (or the run button), and the
# query plan panel on the left shows how the router fetched it from the
# subgraphs. The book icon opens the schema docs; the clock, your history.
#
# Request headers (for example Authorization) go in the Headers tab below.

query Products {
  products(first: 3) {
    edges {
      node {
        id
        name
      }
    }
  }
}
`;

// Plans have long lines: on a first visit, give the side panel more room than
// GraphiQL's third of the editors (its drag bar keeps the size in this key;
// should the key change, GraphiQL's default applies).
try {
  if (localStorage.getItem('graphiql:docExplorerFlex') === null) {
    localStorage.setItem('graphiql:docExplorerFlex', '0.6');
  }
} catch {
  // No storage (private mode, disabled): GraphiQL copes, and so do we.
}

const { endpoint } = readConfig();
const planStore = createPlanStore();
const planTitle = 'Query plan';
const planPlugin = { title: planTitle, icon: makePlanIcon(planStore, planTitle), content: makePlanPanel(planStore) };
const fetcher = createFetcher(endpoint, (p) => planStore.set(p));

// plugins replaces GraphiQL's default list (history), hence HISTORY_PLUGIN.
// visiblePlugin opens the plan panel on a first visit; later GraphiQL restores
// the panel the user last had open.
createRoot(document.getElementById('root')).render(
  <GraphiQL fetcher={fetcher} plugins={[planPlugin, HISTORY_PLUGIN]} visiblePlugin={planPlugin} defaultQuery={defaultQuery} />,
);
