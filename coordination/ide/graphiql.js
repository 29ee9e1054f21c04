// Starts GraphiQL on the node's endpoint (after strawberry's GraphiQL template). A file of
// its own, not an inline script, so that the page's Content-Security-Policy allows
// scripts from the node only. Queries over HTTP, subscriptions over graphql-transport-ws;
// the headers typed in GraphiQL (an Authorization, say) go with both: GraphiQL sends them
// as the WebSocket's connection_init payload.
"use strict";

const EXAMPLE_QUERY = `# GraphiQL on this node.
#
# Write a query, a mutation or a subscription here and run it with Ctrl-Enter.
# A token goes in the Headers tab below: {"Authorization": "Bearer <token>"}.
#
{
  forums(kind: PARTNERSHIP) {
    edges { node { name } }
  }
}
`;

// The query, variables and headers of a shared URL (?q=...&variables=...).
const parameters = {};
for (const entry of window.location.search.slice(1).split("&")) {
  const eq = entry.indexOf("=");
  if (eq >= 0) {
    parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
  }
}

function updateURL(data) {
  Object.assign(parameters, data);
  const search = Object.keys(parameters)
    .filter((key) => Boolean(parameters[key]))
    .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
    .join("&");
  history.replaceState(null, null, "?" + search);
}

const fetchURL = window.location.href.split("?")[0];
const subscriptionURL = new URL(fetchURL);
subscriptionURL.protocol = subscriptionURL.protocol === "https:" ? "wss:" : "ws:";
subscriptionURL.hash = "";

const fetcher = GraphiQL.createFetcher({
  url: fetchURL,
  subscriptionUrl: subscriptionURL.toString(),
});

function GraphiQLWithExplorer() {
  const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
  const [variables, setVariables] = React.useState(parameters.variables);
  const [headers, setHeaders] = React.useState(parameters.headers);
  return React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    query: query,
    variables: variables,
    headers: headers,
    onEditQuery: (edited) => {
      setQuery(edited);
      updateURL({ q: edited });
    },
    onEditVariables: (edited) => {
      setVariables(edited);
      updateURL({ variables: edited });
    },
    onEditHeaders: setHeaders,
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQLWithExplorer),
);
