/**
 * GraphiQL at GET /graphql, with its assets inlined (no CDN). yoga's GraphiQL has no option for
 * WebSocket connection params, so the page is patched to hand the Authorization header of the
 * active tab to graphql-ws (browsers cannot set headers on a WebSocket).
 */
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { GraphiQLOptions } from "graphql-yoga";

/** yoga's `graphiql` option: the page's defaults. */
const DEFAULT_QUERY = `# Put your API token in the Headers tab below, then run this.
query Viewer {
  viewer {
    email
    projects(first: 5) {
      totalCount
      edges {
        node {
          id
          name
          workspaces(first: 5) {
            totalCount
            edges { node { id status hardware { cpuKind cpus memoryMb } } }
          }
        }
      }
    }
  }
}
`;

/** yoga's `graphiql` option: the page's defaults. */
export const graphiqlOptions: GraphiQLOptions = {
  title: "workspace-gateway GraphiQL",
  subscriptionsProtocol: "WS",
  defaultHeaders: JSON.stringify({ Authorization: "Bearer <your token>" }, null, 2),
  defaultQuery: DEFAULT_QUERY,
};

/** yoga's `renderGraphiQL` option: the inlined page, patched for WebSocket auth. */
export function renderGraphiQLWithSocketAuth(options: GraphiQLOptions): string {
  return renderGraphiQL(options).replace(
    "YogaGraphiQL.renderYogaGraphiQL(",
    `(${SOCKET_AUTH_SCRIPT})(YogaGraphiQL.renderYogaGraphiQL)(`,
  );
}

/**
 * Runs in the browser, so it is a string (a compiled function's source carries build helpers):
 * reads the headers GraphiQL keeps in localStorage when the socket connects.
 */
const SOCKET_AUTH_SCRIPT = `function withSocketAuth(render) {
  function connectionParams() {
    try {
      var state = JSON.parse(localStorage.getItem("graphiql:tabState") || "{}");
      var tab = state.tabs && state.tabs[state.activeTabIndex || 0];
      var text = (tab && tab.headers) || localStorage.getItem("graphiql:headers") || "{}";
      var headers = JSON.parse(text);
      for (var name in headers) {
        if (name.toLowerCase() === "authorization") return { authorization: headers[name] };
      }
    } catch (error) {}
    return {};
  }
  return function (root, options) {
    return render(root, Object.assign({}, options, { connectionParams: connectionParams }));
  };
}`;
