// Runs the graphql-http GraphQL-over-HTTP server audit against the URL given as
// the only argument and prints one JSON array of results on stdout:
// [{"id","name","status":"ok"|"notice"|"warn"|"error","reason","httpStatus"}].
// It exits 0 whatever the results are (the Go test judges them) and 2 when it
// cannot run at all.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

// The audits run one after another so that a failure's response is easy to
// match to its request in the server's logs.
const results = [];
for (const audit of serverAudits({ url })) {
  const r = await audit.fn();
  const out = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') {
    out.reason = r.reason;
    out.httpStatus = r.response?.status;
  }
  results.push(out);
}
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
