/**
 * Request guards in front of the API's handlers (index.ts wires them):
 * - `limitBody`: bodies over `maxBytes` get a 413 before any handler reads them (a declared
 *   Content-Length is refused unread; a chunked body is read only up to the limit);
 * - `guardGraphql`: the GraphQL limits (graphql-limits.ts), then the hex input checks (validate.ts), on
 *   one parse of the query, before Ponder's handler parses it again;
 * - `sqlOverHttpOff`: `/sql/*` (arbitrary read-only SQL and live queries) answered 404 unless
 *   INDEXER_SQL_OVER_HTTP enables it.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { graphqlBodyText } from "./graphql-cache.ts";
import { checkGraphqlRequest, type GraphqlLimits } from "./graphql-limits.ts";
import { hexColumnsOf, hexProblemsIn } from "./validate.ts";

export function limitBody(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    // GraphQL-shaped, since /graphql is the one route here that takes a body. `connection: close` so
    // Node does not read the rest of a large upload to keep the connection alive.
    onError: (c) =>
      c.json(
        { errors: [{ message: `request body over ${maxBytes} bytes (API_MAX_BODY_BYTES=${maxBytes})`, extensions: { code: "PAYLOAD_TOO_LARGE", limit: maxBytes } }] },
        413,
        { connection: "close" },
      ),
  });
  // GET and HEAD go straight on. No handler here reads their body, and hono's bodyLimit passes them
  // too (their Request has no body), but only after asking for `c.req.raw.body`, which makes
  // @hono/node-server build the full WHATWG Request (headers, AbortController) from its lightweight
  // one: ~30 µs of CPU on every /live, /lots and stream request (78 -> 112 µs per GET, client
  // included, on @hono/node-server 1.19.5 as Ponder serves it).
  return function limitBody(c, next) {
    const method = c.req.method;
    return method === "GET" || method === "HEAD" ? next() : limit(c, next);
  };
}

type GraphqlRequest = { query?: string; variables: Record<string, unknown> };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

async function readGraphqlRequest(c: Context): Promise<GraphqlRequest> {
  if (c.req.method === "GET") {
    let variables: unknown;
    try {
      variables = JSON.parse(c.req.query("variables") ?? "{}");
    } catch {}
    return { query: c.req.query("query"), variables: isRecord(variables) ? variables : {} };
  }
  if (c.req.method !== "POST") return { variables: {} };
  let body: unknown;
  try {
    // The text the answer cache read already: one read per request.
    body = JSON.parse(await graphqlBodyText(c));
  } catch {}
  if (!isRecord(body)) return { variables: {} };
  return { query: typeof body.query === "string" ? body.query : undefined, variables: isRecord(body.variables) ? body.variables : {} };
}

export function guardGraphql(options: { limits: GraphqlLimits; schema: Record<string, unknown> }): MiddlewareHandler {
  const columns = hexColumnsOf(options.schema);
  return async function guardGraphql(c, next) {
    const { query, variables } = await readGraphqlRequest(c);
    if (query === undefined) return next();
    const checked = checkGraphqlRequest(query, variables, options.limits);
    if (checked.errors.length) return c.json({ errors: checked.errors }, 400);
    const problems = checked.document ? hexProblemsIn(checked.document, variables, columns) : [];
    if (problems.length) return c.json({ errors: problems.map((message) => ({ message, extensions: { code: "BAD_USER_INPUT" } })) }, 400);
    return next();
  };
}

export function sqlOverHttpOff(): MiddlewareHandler {
  return async function sqlOff(c) {
    return c.json({ error: "SQL over HTTP (/sql/*) is off on this server: set INDEXER_SQL_OVER_HTTP=1 to enable it; for the live lot use GET /live or /live/events" }, 404);
  };
}
