/**
 * GraphQL input checks Ponder does not make: a malformed address or hash in a filter silently matches
 * nothing (`bidder(id: "0xzz")` answers null), which reads as "no such bidder". The GraphQL guard
 * (graphql-guard.ts) rejects it up front with a GraphQL error that names the argument and what was expected.
 */
import { type ArgumentNode, type DocumentNode, Kind, parse, type ValueNode, visit } from "graphql";

const HEX = /^0x([0-9a-fA-F]{2})*$/;
// Ponder's filter suffixes (`bidder_in`, `nft_not`, ...): the column is the part before them.
const SUFFIX = /_(not_in|in|not|starts_with|ends_with|not_starts_with|not_ends_with|contains|not_contains|gt|lt|gte|lte)$/;

export type HexColumns = { byTable: Map<string, Set<string>> };

/** Hex columns per GraphQL root field (singular and plural table names). */
export function hexColumnsOf(schema: Record<string, unknown>): HexColumns {
  const byTable = new Map<string, Set<string>>();
  for (const [name, table] of Object.entries(schema)) {
    // Drizzle marks tables and their columns with global symbols (no import of Ponder's drizzle copy).
    const t = table as Record<symbol, unknown> | null;
    if (!t || typeof t !== "object" || t[Symbol.for("drizzle:IsDrizzleTable")] !== true) continue;
    const hex = new Set(
      Object.entries(t[Symbol.for("drizzle:Columns")] as Record<string, unknown>)
        .filter(([, column]) => (column as { columnType?: string }).columnType === "PgHex")
        .map(([key]) => key),
    );
    byTable.set(name, hex);
    byTable.set(`${name}s`, hex);
  }
  return { byTable };
}

type Problem = string;

function strings(value: ValueNode, variables: Record<string, unknown>): unknown[] {
  if (value.kind === Kind.STRING) return [value.value];
  if (value.kind === Kind.LIST) return value.values.flatMap((v) => strings(v, variables));
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return Array.isArray(v) ? v : [v];
  }
  return [];
}

function checkArgument(arg: ArgumentNode | { name: { value: string }; value: ValueNode }, hex: Set<string>, field: string, variables: Record<string, unknown>, problems: Problem[]) {
  const name = arg.name.value;
  if (name === "where" && arg.value.kind === Kind.OBJECT) {
    for (const f of arg.value.fields) checkArgument(f, hex, field, variables, problems);
    return;
  }
  if (name === "AND" || name === "OR") {
    if (arg.value.kind === Kind.LIST) {
      for (const item of arg.value.values) {
        if (item.kind === Kind.OBJECT) for (const f of item.fields) checkArgument(f, hex, field, variables, problems);
      }
    }
    return;
  }
  const column = name.replace(SUFFIX, "");
  if (!hex.has(column)) return;
  for (const value of strings(arg.value, variables)) {
    if (typeof value === "string" && !HEX.test(value)) {
      problems.push(`${field}(${name}): got "${value.slice(0, 80)}", expected 0x-prefixed hex (an address is 0x + 40 hex digits)`);
    }
  }
}

/** The problems of one parsed GraphQL document (empty when fine). */
export function hexProblemsIn(document: DocumentNode, variables: Record<string, unknown>, columns: HexColumns): Problem[] {
  const problems: Problem[] = [];
  visit(document, {
    OperationDefinition(operation) {
      for (const selection of operation.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD) continue;
        const hex = columns.byTable.get(selection.name.value);
        if (!hex) continue;
        for (const arg of selection.arguments ?? []) checkArgument(arg, hex, selection.name.value, variables, problems);
      }
      return false;
    },
  });
  return problems;
}

/** The problems of one GraphQL query text (empty when fine or when the query does not parse: yoga answers those). */
export function hexInputProblems(query: string, variables: Record<string, unknown>, columns: HexColumns): Problem[] {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return [];
  }
  return hexProblemsIn(document, variables, columns);
}
