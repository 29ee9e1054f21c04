// Runs graphql-http's audit of GraphQL over HTTP against URL; prints every result as JSON.
"use strict";
const { auditServer } = require("graphql-http");

auditServer({ url: process.argv[2] }).then(
  (results) => {
    const shown = results.map((r) => ({ id: r.id, name: r.name, status: r.status, reason: r.reason }));
    process.stdout.write(JSON.stringify(shown));
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
