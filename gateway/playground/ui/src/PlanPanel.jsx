// The query plan plugin: a GraphiQL sidebar panel showing the plan of the last
// operation run, as the router's readable text or its JSON tree.
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { useEffect, useState, useSyncExternalStore } from 'react';

// countFetches counts the Fetch nodes of a plan tree (plan.TreeNode as JSON).
function countFetches(node) {
  if (!node || typeof node !== 'object') return 0;
  let n = node.kind === 'Fetch' ? 1 : 0;
  if (node.node) n += countFetches(node.node);
  for (const c of node.nodes ?? []) n += countFetches(c);
  for (const k of ['if', 'else']) if (node[k]) n += countFetches(node[k]);
  return n;
}

// makePlanIcon returns the plugin's sidebar icon. Being always rendered, the
// icon also opens the panel when a plan arrives and no other panel is open;
// a panel the user opened (docs, history) is left alone.
export function makePlanIcon(store, title) {
  return function PlanIcon() {
    const plan = useSyncExternalStore(store.subscribe, store.get);
    const visible = useGraphiQL((s) => s.visiblePlugin);
    const { setVisiblePlugin } = useGraphiQLActions();
    useEffect(() => {
      if (plan && !visible) setVisiblePlugin(title);
      // Only a new plan opens the panel, not the user closing it.
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [plan]);
    // A small tree: one root fanning out to two fetches.
    return (
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
        <rect x="9" y="2.75" width="6" height="4.5" rx="1" />
        <rect x="2.75" y="16.75" width="6" height="4.5" rx="1" />
        <rect x="15.25" y="16.75" width="6" height="4.5" rx="1" />
        <path d="M12 7.25v4.75M5.75 16.75V12h12.5v4.75" />
      </svg>
    );
  };
}

export function makePlanPanel(store) {
  return function PlanPanel() {
    const plan = useSyncExternalStore(store.subscribe, store.get);
    const [view, setView] = useState('text');
    if (!plan) {
      return (
        <div className="sg-plan">
          <div className="graphiql-doc-explorer-title">Query plan</div>
          <p className="sg-plan-empty">Run an operation to see how the router plans it: which subgraphs it fetches from, in what order.</p>
        </div>
      );
    }
    const fetches = plan.object ? countFetches(plan.object) : null;
    return (
      <div className="sg-plan">
        <div className="graphiql-doc-explorer-title">Query plan</div>
        <div className="sg-plan-meta" data-testid="plan-meta">
          {plan.operationName ? <span>{plan.operationName} · </span> : null}
          {fetches !== null ? <span>{fetches} {fetches === 1 ? 'fetch' : 'fetches'} · </span> : null}
          <span>{plan.at.toLocaleTimeString()}</span>
        </div>
        {plan.text === null ? (
          <p className="sg-plan-empty" data-testid="no-plan">
            The router sent no plan for this request (HTTP {plan.status}): it was refused before planning, or
            the router does not return plans.
          </p>
        ) : (
          <>
            <div className="sg-plan-tabs" role="tablist">
              <button type="button" role="tab" aria-selected={view === 'text'} onClick={() => setView('text')}>
                Text
              </button>
              <button type="button" role="tab" aria-selected={view === 'json'} onClick={() => setView('json')}>
                JSON
              </button>
            </div>
            <pre className="sg-plan-body" data-testid="query-plan">
              {view === 'text' ? plan.text : JSON.stringify(plan.object, null, 2)}
            </pre>
          </>
        )}
      </div>
    );
  };
}
