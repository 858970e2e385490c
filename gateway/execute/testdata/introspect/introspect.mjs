// Answers introspection queries with graphql-js against Apollo's API schema of a
// supergraph, for gateway/execute's introspection differential test.
//
// It reuses the pinned installation of gateway/compose/testdata/refcompose
// (@apollo/federation-internals and graphql); REFCOMPOSE_DIR overrides its location.
//
// stdin:  {"sets": [{"name": "shop", "supergraph": "<SDL>",
//                    "queries": [{"name": "q", "query": "{ __typename }", "variables": {}}]}]}
// stdout: {"results": [{"name": "shop", "error": "<when the API schema cannot be built>",
//                       "types": ["Query", ...],
//                       "results": [{"name": "q", "data": {...}, "errors": [{"message": "..."}]}]}]}
//
// "types" are the names of every type of the API schema (built-ins included), so
// that the caller can ask __type(name:) for each.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const refDir = process.env.REFCOMPOSE_DIR || path.join(here, "../../../compose/testdata/refcompose");
const require = createRequire(path.join(refDir, "package.json"));
// The features a router supports (the security ones, for the authorization
// directives, among them), not the smaller set of the JavaScript gateway.
const { Supergraph, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES } = require("@apollo/federation-internals");
const { graphqlSync } = require("graphql");

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function runSet(set) {
  let schema;
  try {
    schema = Supergraph.build(set.supergraph, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
  } catch (e) {
    return { error: String((e && e.message) || e) };
  }
  const types = Object.keys(schema.getTypeMap());
  const results = (set.queries || []).map((q) => {
    const res = graphqlSync({ schema, source: q.query, variableValues: q.variables || undefined });
    const out = { name: q.name };
    if (res.data !== undefined) out.data = res.data;
    if (res.errors && res.errors.length > 0) out.errors = res.errors.map((e) => ({ message: e.message }));
    return out;
  });
  return { types, results };
}

const input = JSON.parse(await readStdin());
const results = input.sets.map((set) => Object.assign({ name: set.name }, runSet(set)));
process.stdout.write(JSON.stringify({ results }));
