/**
 * Abuse limits for `POST /graphql`, checked in front of Ponder's handler (graphql-yoga) so that a hostile
 * query costs this process (which also indexes: one event loop) a bounded amount of work:
 *
 * 1. tokens: one lexer pass that stops at the limit, before anything is parsed, so a 60 KB query of
 *    20,000 tokens is refused after reading `maxTokens` of them;
 * 2. depth: nested selections (relations are cyclic: `lot { bids { items { lot { bids ... } } } }`);
 * 3. aliases: each alias is another execution of a field;
 * 4. cost: an estimate of the rows and fields resolved: a field costs one per row of its parent, and a
 *    page (`bids(limit: n) { items { ... } }`) multiplies what is under `items` by its limit (50 when
 *    not given, Ponder's default). Fragments are expanded, so a fragment "bomb" is counted in full;
 *    the walk stops as soon as the budget is spent, so counting costs at most the budget.
 *
 * Depth and aliases are counted as graphql-armor counts them (the plugins Ponder installs in yoga, given
 * the same numbers as a backstop), so a query passing here is not refused there with another message.
 * Each refusal is a 400 with GraphQL errors naming the limit and its environment variable.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  Lexer,
  parse,
  type SelectionSetNode,
  Source,
  TokenKind,
  type ValueNode,
} from "graphql";

export type GraphqlLimits = { maxTokens: number; maxDepth: number; maxAliases: number; maxCost: number };

export type LimitError = { message: string; extensions: { code: string; limit: number; found?: number } };

/** Ponder's page size when a list field has no `limit` argument. */
const DEFAULT_PAGE = 50;

/** Counts lexer tokens (comments excluded, as the parser counts them), stopping once past `max`. */
export function countTokens(query: string, max: number): number | "unlexable" {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++count > max) return count;
    }
  } catch {
    // A lexical error: the parser reports it (with its position) further on.
    return "unlexable";
  }
  return count;
}

function tooManyTokens(max: number): LimitError {
  return {
    message: `query refused: more than ${max} tokens (GRAPHQL_MAX_TOKENS=${max}); split it into smaller queries`,
    extensions: { code: "QUERY_TOO_LARGE", limit: max },
  };
}

/**
 * The document when it is within the token limit and parses; a limit error when it is over; undefined
 * when it does not parse (yoga answers syntax errors in its own words).
 */
export function parseWithinLimit(query: string, maxTokens: number): { document?: DocumentNode; error?: LimitError } {
  const tokens = countTokens(query, maxTokens);
  if (tokens === "unlexable") return {};
  if (tokens > maxTokens) return { error: tooManyTokens(maxTokens) };
  try {
    return { document: parse(query, { noLocation: true, maxTokens }) };
  } catch {
    return {};
  }
}

type Walk = {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  maxCost: number;
  cost: number;
  aliases: number;
  /** Fragments being expanded on the current path: a cycle is invalid GraphQL (yoga refuses it), not followed here. */
  expanding: Set<string>;
};

function intValue(node: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const v = variables[node.name.value];
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

/** The page size of a list field (one with a `limit` argument or an `items` selection), else undefined. */
function pageSize(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  const limitArg = field.arguments?.find((a) => a.name.value === "limit");
  const hasItems = field.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "items");
  if (!limitArg && !hasItems) return undefined;
  // A page of 0 still resolves its fields once: never let a multiplier reach 0 (the walk must stay bounded).
  return Math.max(1, Math.floor(intValue(limitArg?.value, variables) ?? DEFAULT_PAGE));
}

/**
 * Walks one selection set: returns its depth (graphql-armor's count: every field and inline fragment is
 * a level, a fragment spread two) and adds its cost and aliases to `walk`. `rows` is how many times this
 * selection set is resolved; `page` the size of the page whose `items` may be selected here.
 */
function walkSelections(set: SelectionSetNode, rows: number, page: number | undefined, walk: Walk): number {
  let depth = 0;
  for (const selection of set.selections) {
    if (walk.cost > walk.maxCost) break;
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) walk.aliases++;
      walk.cost += rows;
      let below = 0;
      if (selection.selectionSet) {
        const isItems = selection.name.value === "items" && page !== undefined;
        const childRows = isItems ? rows * page : rows;
        below = walkSelections(selection.selectionSet, childRows, isItems ? undefined : pageSize(selection, walk.variables), walk);
      }
      depth = Math.max(depth, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = Math.max(depth, 1 + walkSelections(selection.selectionSet, rows, page, walk));
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.expanding.has(name)) continue;
      walk.expanding.add(name);
      // graphql-armor counts a spread as two levels (the spread, then the fragment's selection set).
      depth = Math.max(depth, 2 + walkSelections(fragment.selectionSet, rows, page, walk));
      walk.expanding.delete(name);
    }
  }
  return depth;
}

/** Depth, alias and cost problems of each operation in a parsed document (empty when within every limit). */
export function documentLimitErrors(document: DocumentNode, variables: Record<string, unknown>, limits: GraphqlLimits): LimitError[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const errors: LimitError[] = [];
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const walk: Walk = { fragments, variables, maxCost: limits.maxCost, cost: 0, aliases: 0, expanding: new Set() };
    const depth = walkSelections(d.selectionSet, 1, undefined, walk);
    const name = d.name ? `operation ${d.name.value}` : "query";
    // The walk stops once the budget is spent, so past it the depth found is a lower bound.
    const spent = walk.cost > limits.maxCost;
    if (depth > limits.maxDepth) {
      errors.push({
        message: `${name} refused: depth ${spent ? "at least " : ""}${depth} is over the limit of ${limits.maxDepth} (GRAPHQL_MAX_DEPTH; a fragment spread counts two levels)`,
        extensions: { code: "QUERY_TOO_DEEP", limit: limits.maxDepth, found: depth },
      });
    }
    if (walk.aliases > limits.maxAliases) {
      errors.push({
        message: `${name} refused: ${walk.aliases} aliases, over the limit of ${limits.maxAliases} (GRAPHQL_MAX_ALIASES)`,
        extensions: { code: "TOO_MANY_ALIASES", limit: limits.maxAliases, found: walk.aliases },
      });
    }
    if (spent) {
      errors.push({
        message: `${name} refused: cost over the limit of ${limits.maxCost} (GRAPHQL_MAX_COST; a field costs 1 per parent row, a page multiplies by its limit, ${DEFAULT_PAGE} by default); ask for smaller pages or fewer nested lists`,
        extensions: { code: "QUERY_TOO_COSTLY", limit: limits.maxCost },
      });
    }
  }
  return errors;
}

/** Every limit for one request: the parsed document to reuse when it passes, or the errors to answer with. */
export function checkGraphqlRequest(query: string, variables: Record<string, unknown>, limits: GraphqlLimits): { document?: DocumentNode; errors: LimitError[] } {
  const parsed = parseWithinLimit(query, limits.maxTokens);
  if (parsed.error) return { errors: [parsed.error] };
  if (!parsed.document) return { errors: [] };
  const errors = documentLimitErrors(parsed.document, variables, limits);
  return errors.length ? { errors } : { document: parsed.document, errors };
}
