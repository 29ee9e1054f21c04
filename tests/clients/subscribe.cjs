// graphql-ws's client: subscribes to URL (argv: url, token, query, variables as JSON),
// prints the first event's payload as JSON on one line and ends.
"use strict";
const { createClient } = require("graphql-ws");
const WebSocketImpl = require("ws");

const [url, token, query, variables] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocketImpl,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

(async () => {
  const events = client.iterate({ query, variables: JSON.parse(variables) });
  const first = await events.next();
  process.stdout.write(JSON.stringify(first.value) + "\n");
  await events.return();
  await client.dispose();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
