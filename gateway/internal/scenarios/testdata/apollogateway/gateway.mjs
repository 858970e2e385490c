// Runs operations through @apollo/gateway, for the router's planner property
// test (gateway/internal/scenarios): a second oracle beside the monolith.
//
// stdin:  {"sets": [{"name": "7", "supergraph": "...", "operations": [{"query": "...", "variables": {...}}]}]}
// stdout: {"results": [{"name": "7", "answers": [{"data": ..., "errors": [...]}]} or {"name": "7", "error": "..."}]}
//
// The supergraph's subgraph URLs are live loopback servers the test started.
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

// The query planner's bound on the plans it weighs per operation (its
// default is 10,000): the random operations' many fragments over abstract
// types made it spend over 90 s of the property test's default run on
// choosing among plans; 500 cuts that to about 15 s. It bounds the search
// for the cheapest plan, not what a plan must fetch, so the answers stay
// an oracle of the data.
const queryPlannerConfig = { debug: { maxEvaluatedPlans: 500 } };

async function runSet(set) {
  const gateway = new ApolloGateway({ supergraphSdl: set.supergraph, logger: quiet, queryPlannerConfig });
  const server = new ApolloServer({ gateway, logger: quiet, includeStacktraceInErrorResponses: false });
  try {
    await server.start();
  } catch (e) {
    return { name: set.name, error: String((e && e.message) || e) };
  }
  const answers = [];
  try {
    for (const op of set.operations) {
      const res = await server.executeOperation({ query: op.query, variables: op.variables || {} });
      const single = res.body.kind === "single" ? res.body.singleResult : { errors: [{ message: "incremental result" }] };
      answers.push({ data: single.data === undefined ? null : single.data, errors: (single.errors || []).map((e) => e.message) });
    }
  } finally {
    await server.stop();
  }
  return { name: set.name, answers };
}

async function main() {
  const input = JSON.parse(await readStdin());
  const results = [];
  for (const set of input.sets) {
    results.push(await runSet(set));
  }
  process.stdout.write(JSON.stringify({ results }));
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + "\n");
  process.exit(1);
});
