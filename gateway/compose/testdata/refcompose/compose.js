// Composes subgraph SDLs with the reference composer (@apollo/composition) for
// gateway/compose's differential test.
//
// stdin:  {"subgraphs": [{"name": "a", "url": "http://a", "sdl": "..."}]}
// stdout: {"supergraph": "..."} or {"errors": [{"code": "...", "message": "..."}]}
//
// A batch, to start Node once for many sets:
// stdin:  {"sets": [{"name": "case", "subgraphs": [...]}, ...]}
// stdout: {"results": [{"name": "case", "supergraph": "..."} or {"name": "case", "errors": [...]}]}
"use strict";

const { composeServices } = require("@apollo/composition");
const { parse } = require("graphql");

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function composeSet(input) {
  const services = [];
  const parseErrors = [];
  for (const sg of input.subgraphs) {
    try {
      services.push({ name: sg.name, url: sg.url, typeDefs: parse(sg.sdl) });
    } catch (e) {
      parseErrors.push({ code: "INVALID_GRAPHQL", message: `[${sg.name}] ${e.message}` });
    }
  }
  if (parseErrors.length > 0) {
    return { errors: parseErrors };
  }
  let result;
  try {
    result = composeServices(services);
  } catch (e) {
    return { errors: [{ code: "EXCEPTION", message: String((e && e.message) || e) }] };
  }
  if (result.errors && result.errors.length > 0) {
    const errors = result.errors.map((e) => ({
      code: (e.extensions && e.extensions.code) || "",
      message: e.message,
    }));
    return { errors };
  }
  return { supergraph: result.supergraphSdl };
}

async function main() {
  const input = JSON.parse(await readStdin());
  if (Array.isArray(input.sets)) {
    const results = input.sets.map((set) => Object.assign({ name: set.name }, composeSet(set)));
    process.stdout.write(JSON.stringify({ results }));
    return;
  }
  process.stdout.write(JSON.stringify(composeSet(input)));
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + "\n");
  process.exit(1);
});
