// The playground's fetcher: GraphQL over HTTP POST to the router, asking for the
// query plan (X-Shopgraph-Query-Plan) and passing the CSRF check
// (Apollo-Require-Preflight). The plan is taken out of the result, so the result
// pane shows what a client would get, and handed to the plan panel instead.

// QUERY_PLAN_HEADER is gateway/server.QueryPlanHeader.
export const QUERY_PLAN_HEADER = 'X-Shopgraph-Query-Plan';

// createFetcher returns a GraphiQL fetcher for endpoint; onPlan receives
// {operationName, text, object} for each operation the user runs (not for
// GraphiQL's own introspection query).
export function createFetcher(endpoint, onPlan) {
  return async (params, opts) => {
    const headers = {
      Accept: 'application/graphql-response+json, application/json;q=0.9',
      'Content-Type': 'application/json',
      [QUERY_PLAN_HEADER]: 'true',
      'Apollo-Require-Preflight': 'true',
      ...(opts?.headers ?? {}),
    };
    const res = await fetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(params),
      credentials: 'same-origin',
    });
    const body = await res.text();
    let result;
    try {
      result = JSON.parse(body);
    } catch {
      // Not GraphQL: show the status and body rather than a parse error.
      return { errors: [{ message: `HTTP ${res.status} ${res.statusText}: ${body.slice(0, 2000)}` }] };
    }
    const introspection = params.operationName === 'IntrospectionQuery';
    const plan = result?.extensions?.queryPlan;
    if (plan !== undefined) {
      const { queryPlan: _, ...rest } = result.extensions;
      if (Object.keys(rest).length > 0) result.extensions = rest;
      else delete result.extensions;
    }
    if (!introspection) {
      onPlan({
        operationName: params.operationName || null,
        text: plan?.text ?? null,
        object: plan?.object ?? null,
        status: res.status,
        at: new Date(),
      });
    }
    return result;
  };
}
